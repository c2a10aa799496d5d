package cli

// SlidesCmd groups the commands on whole-slide images on disk.
type SlidesCmd struct {
	Scan   SlidesScanCmd   `cmd:"" help:"Describe the whole-slide images under PATHs (size, resolution, CRC32C, external id); check them against an application version; write the metadata CSV."`
	Upload SlidesUploadCmd `cmd:"" help:"Upload slides to the organization's bucket: content-addressed keys, skip what is there, parallel resumable parts, every object verified by CRC32C."`
}
