package cli

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/aignostics/aignostics/internal/clock"
	"github.com/aignostics/aignostics/slides"
)

// scanProgress is the live line of a scan's checksums on a terminal
// (stderr): slides and bytes done, rate. Updates come from the scan's
// readers; output and notes are written through around, which clears the
// line first, so nothing interleaves.
type scanProgress struct {
	mu       sync.Mutex
	live     io.Writer // stderr when it is a terminal, else nil
	width    int
	clock    clock.Clock
	start    time.Time
	lastDraw time.Time
	last     slides.Progress
	drawn    bool
}

func newScanProgress(f *Factory) *scanProgress {
	p := &scanProgress{clock: f.Clock}
	p.start = p.clock.Now()
	if f.IO.IsStderrTTY() {
		p.live, p.width = f.IO.ErrOut, f.IO.ErrTerminalWidth()
	}
	return p
}

// update records progress and redraws at most ten times a second.
func (p *scanProgress) update(pr slides.Progress) {
	if p.live == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last = pr
	now := p.clock.Now()
	if now.Sub(p.lastDraw) < 100*time.Millisecond && pr.SlidesDone < pr.Slides {
		return
	}
	p.lastDraw = now
	p.draw(now)
}

func (p *scanProgress) draw(now time.Time) {
	pr := p.last
	rate := ""
	if secs := now.Sub(p.start).Seconds(); secs > 0.2 {
		rate = "  " + humanBytes(int64(float64(pr.BytesDone)/secs)) + "/s"
	}
	line := fmt.Sprintf("checksums: %d/%d slides, %s of %s%s", pr.SlidesDone, pr.Slides, humanBytes(pr.BytesDone), humanBytes(pr.Bytes), rate)
	if p.width > 1 && len(line) > p.width-1 {
		line = line[:p.width-1]
	}
	fmt.Fprintf(p.live, "\r%s\x1b[K", line)
	p.drawn = true
}

// around runs write (output or a note) with the live line cleared, then
// draws it again.
func (p *scanProgress) around(write func()) {
	if p.live == nil {
		write()
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	wasDrawn := p.drawn
	p.clear()
	write()
	if wasDrawn {
		p.draw(p.clock.Now())
	}
}

func (p *scanProgress) clear() {
	if p.drawn {
		fmt.Fprint(p.live, "\r\x1b[K")
		p.drawn = false
	}
}

// finish removes the line: the summary that follows says it all.
func (p *scanProgress) finish() {
	if p.live == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
}
