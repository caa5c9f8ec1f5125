"""Entry point of the bundle: one program, two names.

`readinglist-gui` (no console window on Windows) opens the app; `readinglist` is the
command line, which opens the app too when given no command. `-m MODULE` runs one
of our modules, as `python -m` would: the library starts its bulk indexer as
`sys.executable -m readinglist.core.indexer`, and in a bundle sys.executable is
this program.
"""

import multiprocessing
import runpy
import sys
from pathlib import Path

if __name__ == "__main__":
    multiprocessing.freeze_support()  # Whoosh's multi-process writer, on spawn systems
    if len(sys.argv) > 2 and sys.argv[1] == "-m" and sys.argv[2].startswith("readinglist."):
        module = sys.argv[2]
        sys.argv = [sys.argv[0], *sys.argv[3:]]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    elif Path(sys.executable).stem.lower() == "readinglist-gui":
        from readinglist.gui.start import main

        main()
    else:
        from readinglist.cli import main

        main()
