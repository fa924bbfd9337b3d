"""The storage interface every use case takes: ``Store`` and its transaction ``Tx``.

(Transitional: re-exported from ``castctl.db.engine`` until the backends are split.)
"""

from castctl.db.engine import Database as Store
from castctl.db.engine import Tx, now_text, os_user

__all__ = ["Store", "Tx", "now_text", "os_user"]
