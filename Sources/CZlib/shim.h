// zlib from the system (Debian: zlib1g-dev; macOS: the SDK), used to inflate .gz datasets.
#include <zlib.h>
