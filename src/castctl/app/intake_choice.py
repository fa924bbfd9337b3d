"""Which intake a command works on: ``--intake`` > ``$CASTCTL_INTAKE`` > the as-of date rule.

Its own module because every command asks it: it must not cost the import of the intake
file reader (YAML) that ``castctl.app.intakes`` needs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from castctl.core.intakes import ENV_VAR, Intake, choose_intake
from castctl.db.intakes import load_intakes
from castctl.db.store import Store


def select_intake(
    store: Store, *, name: str | None, environ: Mapping[str, str], as_of: dt.date
) -> Intake:
    """The intake a command works on (``core.intakes.choose_intake`` on the stored intakes)."""
    return choose_intake(
        load_intakes(store.read), name=name, env_name=environ.get(ENV_VAR), as_of=as_of
    )
