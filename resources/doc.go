// Package resources is the typed client of the Aignostics Platform API:
// applications, versions, runs, items and the current user, with page-by-page
// iterators over lists and client-side validation of run submissions.
//
// Build a client with New (from Settings and a token source) or NewFromHTTP
// (from an already configured httpx.Client), then use its Applications,
// Versions and Runs services, Run(id) for one run, and Me for the caller.
// OrgBucket gives the organization's bucket with its HMAC keys: Presign and
// SignURL sign requests on it (AWS4-HMAC-SHA256), and Upload sends files to
// it under content-addressed keys, in parallel parts, resumable and verified.
package resources
