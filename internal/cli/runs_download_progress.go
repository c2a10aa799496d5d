package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/aignostics/aignostics/internal/clock"
	"github.com/aignostics/aignostics/resources"
)

// downloadProgress renders download events: a live status line on a terminal
// (stderr), one JSON line per finished file with -o jsonl, and notes about
// failed files in text. Events arrive serialised (DownloadOptions.Progress).
type downloadProgress struct {
	ctx      context.Context // once cancelled, failures are the interruption: not listed
	out      *Output
	live     io.Writer // stderr when it is a terminal, else nil
	width    int
	clock    clock.Clock
	start    time.Time
	lastDraw time.Time
	files    int
	failed   int
	bytes    int64
	active   int
	drawn    bool
}

func newDownloadProgress(ctx context.Context, f *Factory, out *Output) *downloadProgress {
	p := &downloadProgress{ctx: ctx, out: out, clock: f.Clock}
	p.start = p.clock.Now()
	if f.IO.IsStderrTTY() {
		p.live = f.IO.ErrOut
		p.width = f.IO.ErrTerminalWidth()
	}
	return p
}

func (p *downloadProgress) event(ev resources.DownloadEvent) {
	switch ev.Type {
	case resources.EventStart:
		p.active++
	case resources.EventBytes:
		p.bytes += ev.Bytes
	case resources.EventFile:
		if ev.File.Status != resources.FileSkipped && ev.File.Status != resources.FileDeleted && ev.File.Size >= 0 {
			p.active = max(0, p.active-1)
		}
		p.files++
		p.fileDone(ev.File)
	}
	p.draw(ev.Type == resources.EventFile)
}

// fileDone reports one finished file.
func (p *downloadProgress) fileDone(f *resources.DownloadedFile) {
	if f.Status == resources.FileFailed || f.Status == resources.FileDeleted {
		p.failed++
	}
	if p.out.Format() == FormatJSONL {
		_ = p.out.Object(f, nil)
		return
	}
	if (f.Status == resources.FileFailed || f.Status == resources.FileDeleted) && p.ctx.Err() == nil {
		p.clearLine()
		msg := f.Error
		if h := hint(f.Err()); h != "" {
			msg += " (" + h + ")"
		}
		p.out.Notef("%s: %s: %s", f.Status, f.Path, msg)
	}
}

// draw redraws the live line at most ten times a second (always when forced).
func (p *downloadProgress) draw(force bool) {
	if p.live == nil {
		return
	}
	now := p.clock.Now()
	if !force && now.Sub(p.lastDraw) < 100*time.Millisecond {
		return
	}
	p.lastDraw = now
	rate := ""
	if secs := now.Sub(p.start).Seconds(); secs > 0.2 {
		rate = "  " + humanBytes(int64(float64(p.bytes)/secs)) + "/s"
	}
	line := fmt.Sprintf("%d files done (%d failed), %d active, %s%s", p.files, p.failed, p.active, humanBytes(p.bytes), rate)
	if p.width > 1 && len(line) > p.width-1 {
		line = line[:p.width-1]
	}
	fmt.Fprintf(p.live, "\r%s\x1b[K", line)
	p.drawn = true
}

// clearLine removes the live line before other stderr output.
func (p *downloadProgress) clearLine() {
	if p.live != nil && p.drawn {
		fmt.Fprint(p.live, "\r\x1b[K")
		p.drawn = false
	}
}

// finish draws the final state and ends the line.
func (p *downloadProgress) finish() {
	if p.live == nil {
		return
	}
	p.draw(true)
	fmt.Fprintln(p.live)
	p.drawn = false
}
