"""bounds: one pure function per claim id of the claim register."""
