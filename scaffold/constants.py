"""Facts about a generated project and about scaffold's exits, named once.

``scaffold/update.py`` and ``scaffold/gitops.py`` still carry their own copies of the first
two; they should import them from here.
"""

#: The answers Copier records in every generated project (the base of ``scaffold update``).
ANSWERS_FILE = ".scaffold-answers.yml"
#: The branch holding scaffold's own output, the common ancestor of every update merge.
PRISTINE_BRANCH = "scaffold/pristine"

#: Exit statuses: bad input or a refused operation, and Ctrl-C / SIGTERM (128 + SIGINT).
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
