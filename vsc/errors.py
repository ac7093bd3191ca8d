"""The one kind of failure a user is meant to fix: bad input.

Every error caused by input (config, data, paths, device, resources, a run folder's state)
derives from :class:`UserError`. The command line prints such an error as one line naming the
file or key and what to do, and exits with status 2; anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """Bad input; the message names the file or key and says what to do."""


class RunFolderError(UserError):
    """A run folder cannot be used as it is (unreadable files, in use, not writable)."""
