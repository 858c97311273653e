#!/usr/bin/env python3
"""Checks Tessera's desktop-integration metadata in packaging/ and resources/icons/.

    check_metadata.py --source DIR --version X.Y.Z --homepage URL

Checks that the .desktop entry, AppStream metainfo, shared-mime-info XML and SVG icon parse; that
they agree with each other (MIME types, desktop id, icon name, binary) and with the CMake project
(release version, homepage); that the PNG icons have the sizes they are installed as; and that the
icons are what packaging/make_icons.py generates. Runs desktop-file-validate and appstreamcli
validate too when they are installed (desktop-file-utils, appstream), and skips them otherwise.
Standard library only; exits 1 on any failure.
"""

import argparse
import configparser
import importlib.util
import os
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"
results = {"passed": 0, "failed": 0, "skipped": 0}


def check(name, ok, detail=""):
    results["passed" if ok else "failed"] += 1
    print(f"{'PASS' if ok else 'FAIL'}: {name}" + ("" if ok or not detail else f": {detail}"))
    return ok


def skip(name, why):
    results["skipped"] += 1
    print(f"SKIP: {name}: {why}")


def parse_xml(name, path):
    try:
        return ET.parse(path).getroot()
    except (ET.ParseError, OSError) as e:
        check(f"{name} is well-formed XML", False, str(e))
        return None


def split_list(value):
    return [v for v in value.split(";") if v]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--homepage", required=True)
    args = ap.parse_args()
    pkg = os.path.join(args.source, "packaging")
    icons = os.path.join(args.source, "resources", "icons")
    desktop_path = os.path.join(pkg, "tessera.desktop")
    metainfo_path = os.path.join(pkg, "io.github.tessera.Tessera.metainfo.xml")
    mime_path = os.path.join(pkg, "tessera-mime.xml")
    svg_path = os.path.join(icons, "tessera.svg")

    # --- .desktop -------------------------------------------------------------------------------
    desktop = configparser.ConfigParser(interpolation=None, strict=True)
    desktop.optionxform = str  # keys are case-sensitive
    try:
        desktop.read(desktop_path, encoding="utf-8")
        entry = desktop["Desktop Entry"]
        check("desktop entry parses", True)
    except (configparser.Error, KeyError) as e:
        check("desktop entry parses", False, str(e))
        entry = {}
    check("desktop Type=Application", entry.get("Type") == "Application", entry.get("Type"))
    check("desktop Exec=tessera %F", entry.get("Exec") == "tessera %F", entry.get("Exec"))
    check("desktop Icon=tessera", entry.get("Icon") == "tessera", entry.get("Icon"))
    categories = split_list(entry.get("Categories", ""))
    check("desktop Categories", categories == ["Science", "Biology", "Graphics", "Viewer"],
          str(categories))
    desktop_mimes = set(split_list(entry.get("MimeType", "")))
    check("desktop lists no directories", "inode/directory" not in desktop_mimes)

    # --- shared-mime-info -----------------------------------------------------------------------
    mime = parse_xml("MIME definitions", mime_path)
    mime_types = {}
    if mime is not None:
        check("MIME definitions are well-formed XML", True)
        check("MIME root is shared-mime-info", mime.tag == MIME_NS + "mime-info", mime.tag)
        for t in mime.findall(MIME_NS + "mime-type"):
            mime_types[t.get("type")] = {
                "globs": {g.get("pattern") for g in t.findall(MIME_NS + "glob")},
                "parents": {p.get("type") for p in t.findall(MIME_NS + "sub-class-of")},
                "comment": t.findtext(MIME_NS + "comment"),
            }
    expected = {
        "image/x-ome-tiff": ({"*.ome.tif", "*.ome.tiff"}, {"image/tiff"}),
        "application/x-h5ad": ({"*.h5ad"}, {"application/x-hdf"}),
    }
    for t, (globs, parents) in expected.items():
        got = mime_types.get(t)
        check(f"MIME {t} globs", got is not None and got["globs"] == globs, str(got))
        check(f"MIME {t} parent", got is not None and got["parents"] == parents, str(got))
        check(f"MIME {t} has a comment", got is not None and bool(got["comment"]))
    check("desktop MimeType = the types defined", desktop_mimes == set(mime_types),
          f"{sorted(desktop_mimes)} vs {sorted(mime_types)}")

    # --- AppStream ------------------------------------------------------------------------------
    meta = parse_xml("metainfo", metainfo_path)
    if meta is not None:
        check("metainfo is well-formed XML", True)
        check("metainfo is a desktop-application", meta.tag == "component"
              and meta.get("type") == "desktop-application")
        check("metainfo id", meta.findtext("id") == "io.github.tessera.Tessera", meta.findtext("id"))
        check("metainfo metadata_license", meta.findtext("metadata_license") == "CC0-1.0")
        check("metainfo project_license", meta.findtext("project_license") == "BSD-3-Clause")
        for tag in ("name", "summary"):
            check(f"metainfo has {tag}", bool((meta.findtext(tag) or "").strip()))
        check("metainfo has a description", meta.find("description/p") is not None)
        check("metainfo has content_rating", meta.find("content_rating") is not None)
        launch = meta.find("launchable[@type='desktop-id']")
        check("metainfo launchable is tessera.desktop",
              launch is not None and launch.text == "tessera.desktop")
        check("metainfo provides binary tessera", meta.findtext("provides/binary") == "tessera")
        provided = {m.text for m in meta.findall("provides/mediatype")}
        check("metainfo mediatypes = desktop MimeType", provided == desktop_mimes,
              f"{sorted(provided)} vs {sorted(desktop_mimes)}")
        homepage = meta.findtext("url[@type='homepage']")
        check("metainfo homepage = project HOMEPAGE_URL", homepage == args.homepage,
              f"{homepage} vs {args.homepage}")
        releases = meta.findall("releases/release")
        newest = releases[0].get("version") if releases else None
        check("metainfo newest release = project VERSION", newest == args.version,
              f"{newest} vs {args.version}")

    # --- icons ----------------------------------------------------------------------------------
    svg = parse_xml("SVG icon", svg_path)
    if svg is not None:
        check("SVG icon is well-formed XML", True)
        check("SVG icon is square", svg.get("width") == svg.get("height") and svg.get("viewBox"))
    for size in (48, 256):
        path = os.path.join(icons, f"tessera-{size}.png")
        try:
            with open(path, "rb") as f:
                head = f.read(26)
            ok = head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
            w, h = struct.unpack(">II", head[16:24]) if ok else (0, 0)
            check(f"PNG icon {size}x{size}", ok and (w, h) == (size, size), f"{w}x{h}")
        except OSError as e:
            check(f"PNG icon {size}x{size}", False, str(e))
    spec = importlib.util.spec_from_file_location("make_icons", os.path.join(pkg, "make_icons.py"))
    make_icons = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_icons)
    check("icons match packaging/make_icons.py", make_icons.main(["--check"]) == 0)

    # --- external validators, when installed ----------------------------------------------------
    tools = {
        "desktop-file-validate": ["desktop-file-validate", desktop_path],
        "appstreamcli validate": ["appstreamcli", "validate", "--no-net", metainfo_path],
    }
    for name, cmd in tools.items():
        if shutil.which(cmd[0]) is None:
            skip(name, f"{cmd[0]} is not installed")
            continue
        run = subprocess.run(cmd, capture_output=True, text=True)
        check(name, run.returncode == 0, (run.stdout + run.stderr).strip())

    print(f"{results['passed']} passed, {results['failed']} failed, {results['skipped']} skipped")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
