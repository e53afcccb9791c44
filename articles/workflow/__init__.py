"""Review before publishing: review states, sign-offs, the roles' rule on every publishing write."""
