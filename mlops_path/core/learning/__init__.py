"""What the views are made of: where the learner stands and what comes next (`position`), the one
counting rule (`summary`), the plan, the last week's activity and search. Pure functions over a
catalog and a progress record. Imports nothing."""
