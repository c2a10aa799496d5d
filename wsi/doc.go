// Package wsi reads the headers of whole-slide images, never their pixels:
// TIFF and BigTIFF (both byte orders, tiled or stripped), Aperio SVS,
// generic pyramidal TIFF and DICOM WSI (Part 10, explicit and implicit VR
// little endian). Inspect gives a file's format, media type, level-0 size,
// microns per pixel, level count and size; Fold makes one slide of the
// instances of a DICOM pyramid.
//
// Every read and allocation is bounded whatever the counts, offsets and
// lengths in a header say: a cut or corrupt file gives an *Error naming the
// file and the field, a file that is no slide a *NotSlideError, never a
// panic or a huge allocation.
//
// The layouts follow TIFF 6.0 (Adobe, 1992), the BigTIFF proposal (AWare
// Systems), Aperio's ImageDescription convention as OpenSlide reads it, and
// DICOM PS3.5 (data structures and encoding) and PS3.10 (the file format).
package wsi
