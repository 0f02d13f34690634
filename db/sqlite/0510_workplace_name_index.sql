-- The console's member search filters by workplace name in any case (ListMembers: lower(w.name) = lower(@wname));
-- without this index the planner walks a category index over the whole register instead of finding the workplace.
CREATE INDEX ix_workplace_lower_name ON workplace (lower(name));
