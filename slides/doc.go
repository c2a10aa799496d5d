// Package slides finds the whole-slide images under paths and describes each
// as the platform wants it: size, resolution, CRC32C, external id and
// metadata (Scan); and it writes and reads the Python SDK's semicolon
// metadata CSV (WriteCSV, ReadCSV), so that a scan, an edited CSV or one
// made by the Python SDK's `run prepare` are the same list of slides to
// `slides upload` and `runs submit`.
//
// Headers come from package wsi; checksums are computed in parallel over
// files, streaming, with constant memory.
package slides
