"""Planning the coming years: forecast caseloads, simulate them against the roster, recommend recruits."""
