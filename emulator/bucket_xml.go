package emulator

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// s3Namespace is the XML namespace of the multipart documents.
const s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// initiateResult answers POST ?uploads.
type initiateResult struct {
	XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	UploadID string   `xml:"UploadId"`
}

// listPartsResult answers GET ?uploadId.
type listPartsResult struct {
	XMLName              xml.Name     `xml:"ListPartsResult"`
	Xmlns                string       `xml:"xmlns,attr"`
	Bucket               string       `xml:"Bucket"`
	Key                  string       `xml:"Key"`
	UploadID             string       `xml:"UploadId"`
	PartNumberMarker     int          `xml:"PartNumberMarker"`
	NextPartNumberMarker int          `xml:"NextPartNumberMarker"`
	MaxParts             int          `xml:"MaxParts"`
	IsTruncated          bool         `xml:"IsTruncated"`
	Parts                []listedPart `xml:"Part"`
}

type listedPart struct {
	PartNumber   int    `xml:"PartNumber"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
}

// completeResult answers POST ?uploadId.
type completeResult struct {
	XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
}

// writeXMLDoc answers status with an XML document.
func writeXMLDoc(w http.ResponseWriter, status int, v any) {
	b, err := xml.Marshal(v)
	if err != nil {
		writeXMLError(w, http.StatusInternalServerError, "InternalError", "encode response: "+err.Error())
		return
	}
	body := append([]byte(xml.Header), b...)
	w.Header().Set("Content-Type", "application/xml; charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// s3Time formats a time as the XML documents do.
func s3Time(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// errMalformedXML reports a CompleteMultipartUpload document that is not one.
var errMalformedXML = errors.New("the XML you provided was not well-formed or did not validate against the published schema")

// parseComplete reads a CompleteMultipartUpload document of at most
// maxCompleteBody bytes: Part elements with PartNumber (1..10000) and ETag.
func parseComplete(r io.Reader) ([]completedPart, error) {
	var doc struct {
		XMLName xml.Name `xml:"CompleteMultipartUpload"`
		Parts   []struct {
			PartNumber string `xml:"PartNumber"`
			ETag       string `xml:"ETag"`
		} `xml:"Part"`
	}
	er := &errReader{r: r}
	lr := &io.LimitedReader{R: er, N: maxCompleteBody + 1}
	if err := xml.NewDecoder(lr).Decode(&doc); err != nil {
		switch {
		case er.err != nil:
			return nil, er.err // reading the body failed: not the document's fault
		case lr.N <= 0:
			return nil, fmt.Errorf("%w: the document is larger than %d bytes", errMalformedXML, maxCompleteBody)
		}
		return nil, errMalformedXML
	}
	if len(doc.Parts) > maxPartNumber {
		return nil, fmt.Errorf("%w: more than %d parts", errMalformedXML, maxPartNumber)
	}
	out := make([]completedPart, 0, len(doc.Parts))
	for _, p := range doc.Parts {
		n, err := strconv.Atoi(p.PartNumber)
		if err != nil || n < 1 || n > maxPartNumber || p.ETag == "" {
			return nil, fmt.Errorf("%w: a part needs a PartNumber of 1 to %d and an ETag", errMalformedXML, maxPartNumber)
		}
		out = append(out, completedPart{Number: n, ETag: p.ETag})
	}
	return out, nil
}

// errReader remembers the first read error other than io.EOF.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) && e.err == nil {
		e.err = err
	}
	return n, err
}
