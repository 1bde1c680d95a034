"""Neutrality reports for reviewers: per panel and roster-wide, flags, and the HTML report."""
