package upload

// Image makers of the unit tests, for the HTTP tests of package upload_test.
var (
	Halves     = halves
	EncodeJPEG = encodeJPEG
	EncodePNG  = encodePNG
	WithEXIF   = withEXIF
	GPSBytes   = gpsBytes
	HugePNG    = hugePNG
)
