"""The documented limits on what comes from outside (README: "What mlops-path treats as untrusted").

A catalog, an export or a sync file over one of these is refused, naming the resource and the
field; they are generous for real content and keep a hostile file from costing time or memory.
"""

MAX_ID = 100  # resource and path ids (slugs)
MAX_WORD = 60  # kinds and topics
MAX_TITLE = 300  # titles of resources, paths and stages
MAX_NAME = 300  # an author, part_of, minutes_note
MAX_PROSE = 2_000  # why, a path's description
MAX_URL = 2_000
MAX_LIST = 50  # authors, topics, replaces of one resource
MAX_NOTE = 10_000  # one note
MAX_NOTES = 1_000  # notes on one resource

MAX_CATALOG_BYTES = 16 * 1024 * 1024  # one catalog file
MAX_IMPORT_BYTES = 64 * 1024 * 1024  # one export or sync file
MAX_DEPTH = 32  # nesting of TOML or JSON values

MAX_HISTORY = 500  # changes kept for `history` and `undo`; older ones are dropped
