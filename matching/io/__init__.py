"""Reading and writing: input files, reference data, rule-set files, nominee files, JSON and CSV out."""
