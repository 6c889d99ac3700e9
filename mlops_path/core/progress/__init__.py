"""The learner's progress: the record and its pure changes (`record`), the one write path to the
file on disk (`store`), and export and import (`exchange`). Imports nothing."""
