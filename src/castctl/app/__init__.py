"""The use cases: one function per thing a coordinator does.

Each takes plain arguments and an open store (``castctl.app.stores.open_store``) and returns
plain results (dataclasses, dicts, lists) for the command line to render. Nothing here parses
options, prints or knows about terminals; everything below (``core``, ``db``, ``io``) is
reached from here, never from ``castctl.cli``.
"""
