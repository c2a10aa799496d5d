package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aignostics/aignostics/internal/clock"
	"github.com/aignostics/aignostics/internal/termtext"
)

// liveLine is one line on a terminal rewritten in place ("\r", the text,
// erase to the end of the line): progress of watch, download, scan and
// upload. It never wraps: the text is the first of the candidates (longest
// first) that fits the terminal's width, else the last one cut with "…".
// Output that must appear between updates goes through Around, which
// clears the line first. On a stream that is not a terminal, or of unknown
// width, nothing is drawn (w nil). Safe for concurrent use.
type liveLine struct {
	mu       sync.Mutex
	w        io.Writer
	width    int
	clock    clock.Clock
	lastDraw time.Time
	last     []string
	drawn    bool
}

// newLiveLine returns the live line of stderr (when it is a terminal).
func newLiveLine(f *Factory) *liveLine {
	l := &liveLine{clock: f.Clock}
	if f.IO.IsStderrTTY() {
		l.w, l.width = f.IO.ErrOut, f.IO.ErrTerminalWidth()
	}
	return l
}

// newStdoutLiveLine returns the live line of stdout (when it is a terminal),
// for commands whose live state is their result (runs watch).
func newStdoutLiveLine(f *Factory) *liveLine {
	l := &liveLine{clock: f.Clock}
	if f.IO.IsStdoutTTY() {
		l.w, l.width = f.IO.Out, f.IO.TerminalWidth()
	}
	return l
}

// active reports whether the line is drawn at all.
func (l *liveLine) active() bool { return l != nil && l.w != nil }

// Show draws the line, at most ten times a second unless force.
// candidates are the same text from the longest to the shortest.
func (l *liveLine) Show(force bool, candidates ...string) {
	if !l.active() {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.last = candidates
	now := l.clock.Now()
	if !force && l.drawn && now.Sub(l.lastDraw) < 100*time.Millisecond {
		return
	}
	l.lastDraw = now
	l.draw()
}

func (l *liveLine) draw() {
	if len(l.last) == 0 {
		return
	}
	fmt.Fprintf(l.w, "\r%s\x1b[K", fitLine(l.width, l.last...))
	l.drawn = true
}

// Around runs write (a note, a result line) with the line cleared, then
// draws it again.
func (l *liveLine) Around(write func()) {
	if !l.active() {
		write()
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	was := l.drawn
	l.clear()
	write()
	if was {
		l.draw()
	}
}

// Clear removes the line (it is drawn again by the next Show).
func (l *liveLine) Clear() {
	if !l.active() {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.clear()
}

func (l *liveLine) clear() {
	if l.drawn {
		fmt.Fprint(l.w, "\r\x1b[K")
		l.drawn = false
	}
}

// Keep draws the last text once more and ends the line, so it stays on
// the screen.
func (l *liveLine) Keep() {
	if !l.active() {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.last) > 0 {
		l.draw()
		fmt.Fprintln(l.w)
	}
	l.drawn = false
}

// End ends the line where it is drawn, so that it stays on the screen and
// what follows starts on a line of its own; nothing when it is not drawn.
func (l *liveLine) End() {
	if !l.active() {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.drawn {
		fmt.Fprintln(l.w)
		l.drawn = false
	}
}

// fitLine picks the first candidate that fits width-1 columns (the last
// column is left free: some terminals wrap on it), made safe for a terminal;
// when none fits, the last is cut and ends in "…". width 0: no limit.
func fitLine(width int, candidates ...string) string {
	var s string
	for _, c := range candidates {
		s = termtext.Line(c)
		if width <= 1 || utf8.RuneCountInString(s) <= width-1 {
			return s
		}
	}
	r := []rune(s)
	return string(r[:max(width-2, 0)]) + "…"
}

// transfer is the state of a transfer of many files (download, upload,
// checksums) and its live line: files done of total, bytes done of total,
// rate and time left.
type transfer struct {
	verb       string // "downloading", "uploading", "checksums"
	unit       string // "files", "slides"
	start      time.Time
	done       int
	total      int
	failed     int
	bytes      int64
	bytesTotal int64 // 0: unknown
	note       string
}

// lines renders the transfer at now, from the longest form to the shortest.
func (t transfer) lines(now time.Time) []string {
	elapsed := now.Sub(t.start)
	var rate float64
	if secs := elapsed.Seconds(); secs >= 0.5 {
		rate = float64(t.bytes) / secs
	}
	count := fmt.Sprintf("%d/%d %s", t.done, t.total, t.unit)
	size := humanBytes(t.bytes)
	if t.bytesTotal > 0 {
		size += " of " + humanBytes(t.bytesTotal)
	}
	var parts []string
	short := []string{count}
	parts = append(parts, count, size)
	if rate > 0 {
		parts = append(parts, humanBytes(int64(rate))+"/s")
		if t.bytesTotal > t.bytes {
			eta := "ETA " + shortDuration(time.Duration(float64(t.bytesTotal-t.bytes)/rate*float64(time.Second)))
			parts = append(parts, eta)
			short = append(short, eta)
		}
	}
	if t.failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", t.failed))
		short = append(short, fmt.Sprintf("%d failed", t.failed))
	}
	long := t.verb + " " + strings.Join(parts, ", ")
	mid := strings.Join(parts, ", ")
	if t.note != "" {
		return []string{long + "; " + t.note, mid + "; " + t.note, mid, strings.Join(short, ", ")}
	}
	return []string{long, mid, strings.Join(short, ", ")}
}

// shortDuration is d rounded for people: 45s, 3m10s, 2h05m.
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Round(time.Second)/time.Second))
	case d < time.Hour:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	}
	d = d.Round(time.Minute)
	return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
}
