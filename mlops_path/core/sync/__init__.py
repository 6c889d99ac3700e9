"""Beyond one machine: the device files in the shared place (`devices`, `device_file`, `layout`),
the clock and join that merge them, the sync secret, the engines that move the files (a synced
folder, or git through `git_repo`), the sync commands (`service`) and the study group's view
(`cohort`). The design: docs/sync-design.md. Imports nothing."""
