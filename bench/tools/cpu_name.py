#!/usr/bin/env python3
"""The CPU a benchmark ran on, as every result file names it.

A cloud guest's `model name` is often only "AMD EPYC" or "Intel Xeon Processor", the same
text for several generations (this project's machines reported "AMD EPYC" both as family 26,
Zen 5, and as family 25 model 17, Zen 4), so the name alone cannot tell two tables apart.
`cpu_name()` adds CPUID's family and model, and the microarchitecture they denote where this
table knows it:

    AMD EPYC (family 25 model 17, Zen 4)
    Intel Xeon Processor (family 6 model 207, Emerald Rapids)

A hypervisor may also report a model number that is not the CPU's: one Intel guest here said
model 167 (0xA7, a desktop Rocket Lake, which has no AMX) on a CPU with AMX-FP16 and a 504 MiB
L3. Where the model is not a known AMX part but the flags show AMX, the features decide:
AMX-FP16 (CPUID leaf 7 subleaf 1, EAX bit 21, read from /dev/cpu/0/cpuid where the kernel
offers it) first came with Granite Rapids; without it, "Sapphire Rapids or later".

Run as a script it prints that line (the shell runners call it), or with `--slug` a file-name
form (`amd-epyc-zen4`, else `amd-epyc-family25-model17`); imported, `cpu_name()`, `cpu_slug()`
and `cpu_identity()` give the same.
"""
import platform
import re

# (vendor, family) -> [(first model, last model, microarchitecture)], from the vendors'
# published family/model numbers of server and desktop parts.
MICROARCHITECTURES = {
    # Family 23 is Zen 1 except models 0x08 (Pinnacle Ridge) and 0x18 (Picasso), the 12 nm Zen+;
    # model 1 is Naples (EPYC 7001) / Summit Ridge, which was printed "Zen / Zen+" before.
    ("AuthenticAMD", 23): [(0x00, 0x07, "Zen 1"), (0x08, 0x08, "Zen+"), (0x09, 0x17, "Zen 1"),
                           (0x18, 0x18, "Zen+"), (0x19, 0x2F, "Zen 1"), (0x30, 0x7F, "Zen 2"),
                           (0x80, 0xFF, "Zen 2")],
    ("AuthenticAMD", 25): [(0x00, 0x0F, "Zen 3"), (0x10, 0x1F, "Zen 4"), (0x20, 0x5F, "Zen 3"),
                           (0x60, 0x7F, "Zen 4"), (0xA0, 0xAF, "Zen 4c")],
    ("AuthenticAMD", 26): [(0x00, 0xFF, "Zen 5")],
    ("GenuineIntel", 6): [(0x55, 0x55, "Skylake-SP / Cascade Lake"), (0x6A, 0x6C, "Ice Lake-SP"),
                          (0x8F, 0x8F, "Sapphire Rapids"), (0xCF, 0xCF, "Emerald Rapids"),
                          (0xAD, 0xAE, "Granite Rapids"), (0xAF, 0xAF, "Sierra Forest")],
}


def cpu_identity(path="/proc/cpuinfo"):
    """The first processor's model name, vendor, family and model (None where unknown)."""
    fields = {}
    try:
        with open(path) as f:
            for line in f:
                if not line.strip():
                    break  # the first processor's block ends here
                key, _, value = line.partition(":")
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    def number(key):
        try:
            return int(fields[key])
        except (KeyError, ValueError):
            return None
    return {"model_name": fields.get("model name") or platform.processor() or "unknown CPU",
            "vendor": fields.get("vendor_id"), "family": number("cpu family"), "model": number("model")}


AMX_MODELS = {0x8F, 0xCF, 0xAD, 0xAE}


def cpu_flags(path="/proc/cpuinfo"):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.partition(":")[2].split())
    except OSError:
        pass
    return set()


def has_amx_fp16(device="/dev/cpu/0/cpuid"):
    """CPUID.(EAX=7, ECX=1):EAX bit 21, or None where the cpuid device cannot be read."""
    import struct
    try:
        with open(device, "rb") as f:
            f.seek((1 << 32) | 7)  # the file offset selects the leaf (low 32 bits) and subleaf
            eax = struct.unpack("<4I", f.read(16))[0]
    except (OSError, struct.error):
        return None
    return bool(eax >> 21 & 1)


def microarchitecture(vendor, family, model, path="/proc/cpuinfo"):
    if vendor == "GenuineIntel" and family == 6 and model not in AMX_MODELS and "amx_tile" in cpu_flags(path):
        # A masked model number (see the module's doc): the features tell.
        return "Granite Rapids by AMX-FP16" if has_amx_fp16() else "AMX: Sapphire Rapids or later"
    for first, last, name in MICROARCHITECTURES.get((vendor, family), []):
        if model is not None and first <= model <= last:
            return name
    return None


def cpu_name(path="/proc/cpuinfo"):
    """`model name (family F model M, microarchitecture)`, or just the model name off Linux."""
    ident = cpu_identity(path)
    if ident["family"] is None or ident["model"] is None:
        return ident["model_name"]
    detail = f"family {ident['family']} model {ident['model']}"
    arch = microarchitecture(ident["vendor"], ident["family"], ident["model"], path)
    return f"{ident['model_name']} ({detail}, {arch})" if arch else f"{ident['model_name']} ({detail})"


def cpu_slug(path="/proc/cpuinfo"):
    """A file-name form of the CPU: the model name and microarchitecture in lower case."""
    ident = cpu_identity(path)
    arch = microarchitecture(ident["vendor"], ident["family"], ident["model"], path)
    if arch:
        arch = arch.replace(" by AMX-FP16", "")
    tail = arch or (f"family{ident['family']}-model{ident['model']}" if ident["family"] is not None else "")
    words = f"{ident['model_name']} {tail}".lower()
    slug = "-".join("".join(c if c.isalnum() else " " for c in words).split())
    return re.sub(r"\bzen-(\d)", r"zen\1", slug)  # "zen4", as the result files have always said


if __name__ == "__main__":
    import sys
    print(cpu_slug() if sys.argv[1:] == ["--slug"] else cpu_name())
