"""The intake core shared by partner returns and case lists: declarations, rules, reading and
hashing. `returns/` and `cases/` adapt it to what each kind of file holds."""
