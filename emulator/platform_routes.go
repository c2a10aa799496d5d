package emulator

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// route is one operation of the spec: a method and a path pattern under
// /api/v1 whose "{}" segments are passed to the handler in order.
type route struct {
	method  string
	pattern []string
	handle  func(w http.ResponseWriter, r *http.Request, args []string)
}

// apiPrefix is where the platform API lives on the API origin.
const apiPrefix = "/api/v1/"

// routes lists every operation of platform API 1.7.0.
func (p *platform) routes() []route {
	rt := func(method, pattern string, h func(http.ResponseWriter, *http.Request, []string)) route {
		return route{method: method, pattern: strings.Split(pattern, "/"), handle: h}
	}
	return []route{
		rt("GET", "applications", p.listApplications),
		rt("GET", "applications/{}", p.getApplication),
		rt("GET", "applications/{}/versions/{}", p.getVersion),
		rt("GET", "applications/{}/versions/{}/documents", p.listDocuments),
		rt("GET", "applications/{}/versions/{}/documents/{}", p.getDocument),
		rt("GET", "applications/{}/versions/{}/documents/{}/file", p.documentFile),
		rt("GET", "applications/{}/versions/{}/documents/{}/content", p.documentContent),
		rt("GET", "runs", p.listRuns),
		rt("POST", "runs", p.createRun),
		rt("GET", "runs/{}", p.getRun),
		rt("POST", "runs/{}/cancel", p.cancelRun),
		rt("GET", "runs/{}/items", p.listItems),
		rt("GET", "runs/{}/items/{}", p.getItem),
		rt("PUT", "runs/{}/items/{}/custom-metadata", p.putItemMetadata),
		rt("GET", "runs/{}/artifacts/{}/file", p.artifactFile),
		rt("DELETE", "runs/{}/artifacts", p.deleteArtifacts),
		rt("PUT", "runs/{}/custom-metadata", p.putRunMetadata),
		rt("GET", "me", p.getMe),
		rt("POST", "access/grants", p.createGrant),
		rt("GET", "access/grants", p.listGrants),
		rt("GET", "access/grants/{}", p.getGrant),
		rt("DELETE", "access/grants/{}", p.revokeGrant),
		rt("POST", "access/share-tokens", p.createShareToken),
		rt("GET", "access/share-tokens", p.listShareTokens),
		rt("GET", "access/share-tokens/{}", p.getShareToken),
		rt("DELETE", "access/share-tokens/{}", p.revokeShareToken),
	}
}

// ServeHTTP serves everything under /api/v1/ (the full path, including /api).
// The request has already been authenticated.
func (p *platform) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), apiPrefix)
	if !ok {
		writeDetail(w, http.StatusNotFound, "Not Found")
		return
	}
	rest = strings.TrimSuffix(rest, "/")
	raw := strings.Split(rest, "/")
	segs := make([]string, len(raw))
	for i, s := range raw {
		u, err := url.PathUnescape(s)
		if err != nil {
			writeDetail(w, http.StatusNotFound, "Not Found")
			return
		}
		segs[i] = u
	}
	var allowed []string
	for _, rt := range p.routesM {
		args, ok := matchRoute(rt.pattern, segs)
		if !ok {
			continue
		}
		if rt.method == r.Method || (rt.method == "GET" && r.Method == "HEAD") {
			rt.handle(w, r, args)
			return
		}
		allowed = append(allowed, rt.method)
	}
	if len(allowed) > 0 {
		sort.Strings(allowed)
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeDetail(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	writeDetail(w, http.StatusNotFound, "Not Found")
}

// matchRoute matches path segments against a pattern and returns the values
// of its "{}" segments.
func matchRoute(pattern, segs []string) ([]string, bool) {
	if len(pattern) != len(segs) {
		return nil, false
	}
	var args []string
	for i, p := range pattern {
		switch {
		case p == "{}":
			if segs[i] == "" {
				return nil, false
			}
			args = append(args, segs[i])
		case p != segs[i]:
			return nil, false
		}
	}
	return args, true
}
