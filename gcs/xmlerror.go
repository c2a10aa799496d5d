package gcs

import (
	"encoding/xml"
	"errors"
	"net/http"
)

// ErrorCode maps a VerifyRequest error to the status and XML error code GCS
// answers with; a storage server (the emulator) writes them with WriteXMLError.
func ErrorCode(err error) (status int, code string) {
	switch {
	case err == nil:
		return http.StatusOK, ""
	case errors.Is(err, ErrExpired):
		return http.StatusBadRequest, "ExpiredToken"
	case errors.Is(err, ErrNotYetValid), errors.Is(err, ErrMalformedSignature):
		return http.StatusBadRequest, "InvalidArgument"
	case errors.Is(err, ErrSignatureMismatch):
		return http.StatusForbidden, "SignatureDoesNotMatch"
	case errors.Is(err, ErrUnknownKey):
		return http.StatusForbidden, "AccessDenied"
	}
	return http.StatusInternalServerError, "InternalError"
}

// WriteXMLError writes a GCS-style XML error document:
// <Error><Code>code</Code><Message>message</Message></Error>.
func WriteXMLError(w http.ResponseWriter, status int, code, message string) {
	body, _ := xml.Marshal(struct {
		XMLName xml.Name `xml:"Error"`
		Code    string   `xml:"Code"`
		Message string   `xml:"Message"`
	}{Code: code, Message: message})
	w.Header().Set("Content-Type", "application/xml; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(body)
}
