package emulator

import (
	"io"
	"net/http"
	"sync"
	"time"
)

// platformConfig is what the emulator core gives the platform API.
type platformConfig struct {
	now          func() time.Time
	publicURL    string
	speed        float64
	artifactSize int64
	seed         int64
	// signURL returns a V4-signed storage URL for bucket/object valid for expires.
	signURL func(bucket, object string, expires time.Duration) string
	// signAttachment is signURL with GCS's response-content-disposition
	// set to attachment with filename (the document /file redirect); nil
	// means signURL.
	signAttachment func(bucket, object, filename string, expires time.Duration) string
	// orgID is the organization of the emulated platform; hmacAccessID and
	// hmacSecret are the organization's bucket HMAC pair that /v1/me returns.
	orgID                    string
	hmacAccessID, hmacSecret string
	// count is called with "create_run" for each POST /api/v1/runs handled.
	count func(name string)
	// checkInput checks an input's download URL as the platform reads it:
	// "" when it is readable (or not in storage the emulator serves), else
	// why not. crc32c is the item's checksum_base64_crc32c.
	checkInput func(downloadURL, crc32c string) string
}

// storageObject is one object the storage origin serves.
type storageObject struct {
	Size        int64
	CRC32C      uint32
	ETag        string // the full header value, quoted
	ContentType string
	Content     io.ReaderAt
	Hashes      string // the x-goog-hash value; "" = crc32c only
}

// Storage layout of the platform's objects.
const (
	resultsBucket   = "aignostics-results"
	runObjectPrefix = "runs/"
	docObjectPrefix = "documents/"
	defaultArtSize  = 1 << 20
	artifactURLTTL  = time.Hour
	documentURLTTL  = 15 * time.Minute
)

// platform serves the Aignostics Platform API (/api/v1/...) over an in-memory
// state: the fixed catalogue, runs (whose progress is computed from the clock
// when read), grants and share tokens.
type platform struct {
	cfg   platformConfig
	speed float64
	size  int64
	cat   *catalogue
	// principal extracts the authenticated caller; tests replace it.
	principal func(r *http.Request) (principal, bool)

	mu      sync.RWMutex
	st      platformState
	gen     *artifactGen
	routesM []route
}

// platformState is everything that changes (and is snapshotted).
type platformState struct {
	counter uint64 // ids handed out so far
	runs    []*run // in submission order
	byID    map[string]*run
	grants  []*grant
	tokens  []*shareToken
}

// newPlatform builds the platform API with the seeded catalogue and no runs.
func newPlatform(c platformConfig) *platform {
	if c.now == nil {
		c.now = time.Now
	}
	if c.count == nil {
		c.count = func(string) {}
	}
	if c.checkInput == nil {
		c.checkInput = func(string, string) string { return "" }
	}
	if c.signURL == nil {
		c.signURL = func(bucket, object string, _ time.Duration) string {
			return c.publicURL + "/storage/" + bucket + "/" + object
		}
	}
	p := &platform{cfg: c, speed: c.speed, size: c.artifactSize}
	if p.speed <= 0 {
		p.speed = 1
	}
	if p.size <= 0 {
		p.size = defaultArtSize
	}
	p.cat = newCatalogue()
	p.principal = func(r *http.Request) (principal, bool) { return principalFrom(r.Context()) }
	p.st.byID = map[string]*run{}
	p.gen = newArtifactGen(c.seed)
	p.routesM = p.routes()
	return p
}

// now is the emulator's clock.
func (p *platform) now() time.Time { return p.cfg.now() }

// caller returns the authenticated principal with the organization filled in.
func (p *platform) caller(r *http.Request) principal {
	pr, _ := p.principal(r)
	if pr.OrgID == "" && !pr.Anonymous {
		pr.OrgID = p.cfg.orgID
	}
	return pr
}
