"""Notice hooks: the webhooks a party registers for what the platform tells it (``recall``: a recall names it as a
holder, or one that did was closed), delivered signed, in order, retried until accepted."""
