# ONNX Runtime writes a device id and a telemetry database under ~/.cache unless
# ORT_DISABLE_TELEMETRY is set (libmist's docs/c-abi.md, "Files"); set when the
# package loads, before any handle exists, unless the user set it.
.onLoad <- function(libname, pkgname) {
  if (is.na(Sys.getenv("ORT_DISABLE_TELEMETRY", unset = NA))) {
    Sys.setenv(ORT_DISABLE_TELEMETRY = "1")
  }
}
