"""The command line: `app` parses and dispatches to `learn`, `record` and `catalogs`;
every byte of output comes from `output` (primitives), `views` and `messages`."""
