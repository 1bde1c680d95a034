"""Reading and writing: input files, reference data, rule-set files, nominee files, JSON and CSV out
(``csv_out``: the one CSV writer), and the output path checks and atomic writes (``out_paths``)."""
