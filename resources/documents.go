package resources

import (
	"context"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
)

// documentsPath is the path of a version's documents.
func documentsPath(applicationID, version string) string {
	return "/applications/" + url.PathEscape(applicationID) + "/versions/" + url.PathEscape(version) + "/documents"
}

// Documents yields the public documents of an application version (the
// list is not paged by the API; it is read in one request).
func (v *Versions) Documents(ctx context.Context, applicationID, version string) iter.Seq2[VersionDocumentResponse, error] {
	return func(yield func(VersionDocumentResponse, error) bool) {
		var docs []VersionDocumentResponse
		if err := v.c.get(ctx, documentsPath(applicationID, version), nil, &docs); err != nil {
			yield(VersionDocumentResponse{}, fmt.Errorf("list documents of %s:%s: %w", applicationID, version, err))
			return
		}
		for _, d := range docs {
			if !yield(d, nil) {
				return
			}
		}
	}
}

// Document returns one document's metadata.
func (v *Versions) Document(ctx context.Context, applicationID, version, name string) (VersionDocumentResponse, error) {
	var out VersionDocumentResponse
	if err := v.c.get(ctx, documentsPath(applicationID, version)+"/"+url.PathEscape(name), nil, &out); err != nil {
		return out, fmt.Errorf("get document %q of %s:%s: %w", name, applicationID, version, err)
	}
	return out, nil
}

// OpenDocument streams a document's content: GET .../documents/{name}/content,
// whose 307 to a signed storage URL is followed without the token. The
// caller closes the body; nothing is buffered.
func (v *Versions) OpenDocument(ctx context.Context, applicationID, version, name string) (io.ReadCloser, error) {
	u := v.c.URL(documentsPath(applicationID, version)+"/"+url.PathEscape(name)+"/content", nil)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := v.c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download document %q of %s:%s: %w", name, applicationID, version, err)
	}
	if resp.StatusCode != http.StatusOK {
		// Storage answers after the redirect have no JSON detail; httpx
		// turns any status of 400 or more into an *httpx.APIError.
		resp.Body.Close()
		return nil, fmt.Errorf("download document %q of %s:%s: unexpected status %d", name, applicationID, version, resp.StatusCode)
	}
	return resp.Body, nil
}

// DownloadDocument writes a document to path: streamed into a temporary
// file beside it, synced, then renamed over path, so path holds either the
// old content or the complete new one. It returns the bytes written.
func (v *Versions) DownloadDocument(ctx context.Context, applicationID, version, name, path string) (int64, error) {
	body, err := v.OpenDocument(ctx, applicationID, version, name)
	if err != nil {
		return 0, err
	}
	defer body.Close()
	n, err := WriteFileAtomic(path, body, 0o644)
	if err != nil {
		return n, fmt.Errorf("download document %q of %s:%s: %w", name, applicationID, version, err)
	}
	return n, nil
}

// WriteFileAtomic streams r into a temporary file in path's directory, syncs
// it, gives it mode perm and renames it to path. On any error the temporary
// file is removed and path is untouched.
func WriteFileAtomic(path string, r io.Reader, perm os.FileMode) (n int64, err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.part")
	if err != nil {
		return 0, err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if n, err = io.Copy(f, r); err != nil {
		return n, err
	}
	if err = f.Chmod(perm); err != nil {
		return n, err
	}
	if err = f.Sync(); err != nil {
		return n, err
	}
	if err = f.Close(); err != nil {
		return n, err
	}
	return n, os.Rename(tmp, path)
}
