package emulator

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FaultGrammar documents the --faults specification (shown by `aignostics emulator --help`).
const FaultGrammar = `Faults: a comma separated list of [SCOPE:]KIND[@RATE].
  SCOPE  api (the platform API and /health), storage (signed URLs), auth (OAuth
         endpoints); all three when omitted.
  KIND   500, 502, 503   answer with that status
         429             answer 429 with Retry-After: 1
         reset           close the connection before answering
         truncate        send the headers and half of the body, then close; on
                         an upload (PUT, POST), read half of the request body
                         and close, storing nothing
         corrupt         flip bytes of the body (same length, headers unchanged);
                         on an upload (PUT), the stored bytes differ from those
                         sent (and the object's checksums are of what is stored)
         delay=DURATION  wait before answering (Go duration, e.g. 200ms)
  RATE   probability 0..1 that a request gets the fault; default 1.
Each decision hashes (seed, method, path, how many times that method and path
were requested), so a given --seed reproduces the same faults.

Example: api:503@0.1,storage:reset@0.05,storage:corrupt@0.02,delay=200ms@0.1`

// Fault is one rule of a fault specification.
type Fault struct {
	Scope string        // "api", "storage", "auth", or "" for all
	Kind  string        // "500", "502", "503", "429", "reset", "truncate", "corrupt" or "delay"
	Delay time.Duration // for Kind "delay"
	Rate  float64       // 0..1
}

// String formats f in the specification grammar.
func (f Fault) String() string {
	s := f.Kind
	if f.Kind == "delay" {
		s += "=" + f.Delay.String()
	}
	if f.Scope != "" {
		s = f.Scope + ":" + s
	}
	if f.Rate != 1 {
		s += "@" + strconv.FormatFloat(f.Rate, 'g', -1, 64)
	}
	return s
}

// ParseFaults parses a specification such as
// "api:503@0.1,storage:reset@0.05,delay=200ms@0.1" (see FaultGrammar).
// An empty specification means no faults.
func ParseFaults(spec string) ([]Fault, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, nil
	}
	var out []Fault
	for i, item := range strings.Split(spec, ",") {
		f, err := parseFault(strings.TrimSpace(item))
		if err != nil {
			return nil, fmt.Errorf("parse fault %d %q: %w", i+1, strings.TrimSpace(item), err)
		}
		out = append(out, f)
	}
	return out, nil
}

func parseFault(s string) (Fault, error) {
	f := Fault{Rate: 1}
	if s == "" {
		return f, fmt.Errorf("empty fault")
	}
	if at := strings.LastIndexByte(s, '@'); at >= 0 {
		r, err := strconv.ParseFloat(s[at+1:], 64)
		if err != nil || math.IsNaN(r) || r < 0 || r > 1 {
			return f, fmt.Errorf("rate %q must be a number from 0 to 1", s[at+1:])
		}
		f.Rate = r
		s = s[:at]
	}
	if scope, rest, ok := strings.Cut(s, ":"); ok {
		switch scope {
		case "api", "storage", "auth":
		default:
			return f, fmt.Errorf("unknown scope %q (want api, storage or auth)", scope)
		}
		f.Scope, s = scope, rest
	}
	switch {
	case s == "500" || s == "502" || s == "503" || s == "429" || s == "reset" || s == "truncate" || s == "corrupt":
		f.Kind = s
	case strings.HasPrefix(s, "delay="):
		d, err := time.ParseDuration(strings.TrimPrefix(s, "delay="))
		if err != nil || d <= 0 {
			return f, fmt.Errorf("delay %q must be a positive Go duration such as 200ms", strings.TrimPrefix(s, "delay="))
		}
		f.Kind, f.Delay = "delay", d
	default:
		return f, fmt.Errorf("unknown kind %q (want 500, 502, 503, 429, reset, truncate, corrupt or delay=DURATION)", s)
	}
	return f, nil
}

// faultPlan is what happens to one request.
type faultPlan struct {
	delay             time.Duration
	status            int
	reset             bool
	truncate, corrupt bool
	kinds             []string
}

func (p faultPlan) none() bool { return len(p.kinds) == 0 }

// faultInjector decides deterministically which requests get faults.
type faultInjector struct {
	seed int64

	mu     sync.Mutex
	rules  []Fault
	counts map[string]uint64 // "METHOD path" -> requests seen
}

func newFaultInjector(rules []Fault, seed int64) *faultInjector {
	return &faultInjector{seed: seed, rules: rules, counts: map[string]uint64{}}
}

func (fi *faultInjector) set(rules []Fault) {
	fi.mu.Lock()
	fi.rules = rules
	fi.mu.Unlock()
}

// decide counts the request and returns the faults it gets.
func (fi *faultInjector) decide(scope, method, path string) faultPlan {
	fi.mu.Lock()
	key := method + " " + path
	n := fi.counts[key]
	fi.counts[key] = n + 1
	rules := fi.rules
	fi.mu.Unlock()
	var p faultPlan
	for i, f := range rules {
		if f.Scope != "" && f.Scope != scope {
			continue
		}
		if !fires(fi.seed, i, method, path, n, f.Rate) {
			continue
		}
		switch f.Kind {
		case "delay":
			p.delay += f.Delay
		case "reset":
			p.reset = true
		case "truncate":
			p.truncate = true
		case "corrupt":
			p.corrupt = true
		default:
			if p.status == 0 {
				p.status, _ = strconv.Atoi(f.Kind)
			}
		}
		p.kinds = append(p.kinds, f.Kind)
	}
	return p
}

// fires is the deterministic decision for rule i on the nth request of method and path.
func fires(seed int64, rule int, method, path string, n uint64, rate float64) bool {
	if rate >= 1 {
		return true
	}
	if rate <= 0 {
		return false
	}
	h := fnv.New64a()
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(seed))
	h.Write(b[:])
	binary.BigEndian.PutUint64(b[:], uint64(rule))
	h.Write(b[:])
	h.Write([]byte(method))
	h.Write([]byte{0})
	h.Write([]byte(path))
	h.Write([]byte{0})
	binary.BigEndian.PutUint64(b[:], n)
	h.Write(b[:])
	x := mixBits(h.Sum64())
	return float64(x>>11)/(1<<53) < rate
}

// mixBits is the splitmix64 finaliser, spreading FNV's bits evenly.
func mixBits(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
