"""What the record tells the apps built on it, which it must not import."""

from django.dispatch import Signal

# Sent with `meeting` when one of its papers may have stopped being public (the paper or its
# item made exempt, moved or deleted), inside the transaction that changed it.
papers_withheld = Signal()
