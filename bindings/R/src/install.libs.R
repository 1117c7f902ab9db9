# install.libs.R: run by R CMD INSTALL instead of its default copy of mist.so. Installs mist.so with
# the libraries it loads, libmist.so and libonnxruntime.so (copied here by ../configure), into one
# folder: mist.so finds libmist.so there through its rpath $ORIGIN, and libmist finds ONNX Runtime
# in its own folder. symbols.rds, when R wrote it, lets R CMD check tell the package's own
# objects from the bundled libraries.
files <- c(paste0("mist", SHLIB_EXT), "libmist.so", "libonnxruntime.so")
files <- c(files, if (file.exists("symbols.rds")) "symbols.rds")
dest <- file.path(R_PACKAGE_DIR, paste0("libs", R_ARCH))
dir.create(dest, recursive = TRUE, showWarnings = FALSE)
if (!all(file.copy(files, dest, overwrite = TRUE))) {
  stop("could not copy ", paste(files, collapse = ", "), " into ", dest)
}
