"""Only rendering a PDF imports WeasyPrint (~0.6 s): checked in a fresh process, as a server or command starts."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

# What a server worker and every management command load before doing any work: settings and apps, the
# URLconf with every view module, the command modules (each imports what its handle() uses). Then one PDF.
START_UP_THEN_PDF = """
import json, sys
import django
django.setup()
from django.core.management import get_commands, load_command_class
from django.urls import get_resolver
patterns = get_resolver().url_patterns
commands = get_commands()
for name, app in commands.items():
    load_command_class(app, name)
loaded_at_start_up = "weasyprint" in sys.modules
from core.pdf import render_pdf
pdf = render_pdf("<p>望城区网格化服务管理</p>")
print(json.dumps({
    "patterns": len(patterns),
    "commands": sorted(commands),
    "at_start_up": loaded_at_start_up,
    "after_render": "weasyprint" in sys.modules,
    "magic": pdf[:4].decode(),
}))
"""


def test_start_up_urls_and_commands_do_not_import_weasyprint_until_a_pdf_is_rendered():
    result = subprocess.run(
        [sys.executable, "-c", START_UP_THEN_PDF],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "wangcheng.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    seen = json.loads(result.stdout)
    assert seen["patterns"] > 5
    assert {"export_self_evaluation", "seed_demo", "dumpdata"} <= set(seen["commands"])
    assert seen["at_start_up"] is False
    assert (seen["after_render"], seen["magic"]) == (True, "%PDF")
