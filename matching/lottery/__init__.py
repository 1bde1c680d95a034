"""Fair lotteries: the column-generation engine, the dispute lottery and the roster selection."""
