package cli

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/aignostics/aignostics/internal/clock"
	"github.com/aignostics/aignostics/resources"
)

// uploadProgress is the live line of an upload on a terminal (stderr):
// files and bytes done of the total, rate, ETA. Bytes of skipped files and
// of parts an earlier run sent count as done when their file finishes; the
// rate counts only bytes sent. Output and notes go through around, which
// clears the line first.
type uploadProgress struct {
	mu       sync.Mutex
	live     io.Writer // stderr when it is a terminal, else nil
	width    int
	clock    clock.Clock
	start    time.Time // the first byte sent
	lastDraw time.Time
	files    int
	total    int64
	done     int // files finished
	sent     int64
	credited int64 // bytes done without being sent (skipped, resumed)
	retries  int
	drawn    bool
}

func newUploadProgress(f *Factory, files int, total int64) *uploadProgress {
	p := &uploadProgress{clock: f.Clock, files: files, total: total}
	if f.IO.IsStderrTTY() {
		p.live, p.width = f.IO.ErrOut, f.IO.ErrTerminalWidth()
	}
	return p
}

// event records an upload event (calls are serialised by Upload, but
// around may run beside them).
func (p *uploadProgress) event(ev resources.UploadEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	force := false
	switch ev.Type {
	case resources.UploadEventBytes:
		if p.start.IsZero() {
			p.start = p.clock.Now()
		}
		p.sent += ev.Bytes
	case resources.UploadEventRetry:
		p.retries++
	case resources.UploadEventFile:
		p.done++
		if ev.Result.Status != resources.UploadFailed {
			p.credited += ev.Result.Size - ev.Result.BytesSent
		}
		force = true
	}
	if p.live == nil {
		return
	}
	now := p.clock.Now()
	if !force && now.Sub(p.lastDraw) < 100*time.Millisecond {
		return
	}
	p.lastDraw = now
	p.draw(now)
}

func (p *uploadProgress) draw(now time.Time) {
	done := min(p.sent+p.credited, p.total)
	line := fmt.Sprintf("upload: %d/%d files, %s of %s", p.done, p.files, humanBytes(done), humanBytes(p.total))
	if !p.start.IsZero() {
		if secs := now.Sub(p.start).Seconds(); secs > 0.2 && p.sent > 0 {
			rate := float64(p.sent) / secs
			line += "  " + humanBytes(int64(rate)) + "/s"
			if left := p.total - done; left > 0 {
				line += "  ETA " + time.Duration(float64(left)/rate*float64(time.Second)).Round(time.Second).String()
			}
		}
	}
	if p.retries > 0 {
		line += fmt.Sprintf("  (%d retries)", p.retries)
	}
	if p.width > 1 && len(line) > p.width-1 {
		line = line[:p.width-1]
	}
	fmt.Fprintf(p.live, "\r%s\x1b[K", line)
	p.drawn = true
}

// around runs write with the live line cleared, then draws it again.
func (p *uploadProgress) around(write func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.live == nil {
		write()
		return
	}
	wasDrawn := p.drawn
	p.clear()
	write()
	if wasDrawn {
		p.draw(p.clock.Now())
	}
}

func (p *uploadProgress) clear() {
	if p.drawn {
		fmt.Fprint(p.live, "\r\x1b[K")
		p.drawn = false
	}
}

// finish removes the line: the summary says it all.
func (p *uploadProgress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.live != nil {
		p.clear()
	}
}
