package emulator

import (
	"html/template"
	"net/http"
)

// page is the data of the authorization server's small HTML pages.
type page struct {
	Title, Message string
	Consent        string // consent request id: shows Approve/Deny for /authorize
	Scope          string
	Activate       bool   // shows the user-code entry form
	UserCode       string // shows Approve/Deny for this device user code
}

const pageTemplate = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:sans-serif;max-width:36em;margin:3em auto}button{margin-right:1em}</style></head>
<body><h1>{{.Title}}</h1>
{{if .Message}}<p>{{.Message}}</p>{{end}}
{{if .Consent}}<p>Scope: <code>{{.Scope}}</code></p>
<form method="post" action="/authorize/decision"><input type="hidden" name="request" value="{{.Consent}}">
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button></form>{{end}}
{{if .Activate}}<form method="post" action="/activate"><label>Code <input name="user_code" autofocus placeholder="ABCD-EFGH"></label>
<button type="submit">Continue</button></form>{{end}}
{{if .UserCode}}<p>Code: <strong>{{.UserCode}}</strong></p>
<form method="post" action="/activate"><input type="hidden" name="user_code" value="{{.UserCode}}">
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button></form>{{end}}
</body></html>
`

// renderPage writes p as an HTML page with status.
func renderPage(w http.ResponseWriter, status int, p page) {
	t, err := template.New("page").Parse(pageTemplate)
	if err != nil {
		http.Error(w, "page template: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_ = t.Execute(w, p)
}
