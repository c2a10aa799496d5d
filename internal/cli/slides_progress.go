package cli

import (
	"github.com/aignostics/aignostics/slides"
)

// scanProgress is the live line of a scan's checksums on a terminal
// (stderr): slides and bytes done of total, rate, time left. Updates come
// from the scan's readers; output and notes are written through around,
// which clears the line first, so nothing interleaves.
type scanProgress struct {
	line *liveLine
	t    transfer
}

func newScanProgress(f *Factory) *scanProgress {
	return &scanProgress{line: newLiveLine(f), t: transfer{verb: "checksums", unit: "slides", start: f.Clock.Now()}}
}

// update records progress and redraws at most ten times a second.
func (p *scanProgress) update(pr slides.Progress) {
	if !p.line.active() {
		return
	}
	p.line.mu.Lock()
	p.t.done, p.t.total, p.t.bytes, p.t.bytesTotal = pr.SlidesDone, pr.Slides, pr.BytesDone, pr.Bytes
	t := p.t
	p.line.mu.Unlock()
	p.line.Show(pr.SlidesDone >= pr.Slides, t.lines(p.line.clock.Now())...)
}

// around runs write (output or a note) with the live line cleared, then
// draws it again.
func (p *scanProgress) around(write func()) { p.line.Around(write) }

// finish removes the line: the summary that follows says it all.
func (p *scanProgress) finish() { p.line.Clear() }
