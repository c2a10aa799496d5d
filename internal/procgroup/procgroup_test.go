//go:build unix

package procgroup_test

import (
	"bufio"
	"context"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/aignostics/aignostics/internal/procgroup"

	"github.com/aignostics/aignostics/internal/proctest"
)

// startTree starts sh that runs a background sleep, prints the sleep's pid
// and waits; it returns the command and the grandchild's pid.
func startTree(t *testing.T, ctx context.Context) (*exec.Cmd, int) {
	t.Helper()
	cmd := procgroup.CommandContext(ctx, "/bin/sh", "-c", "sleep 1000 & echo $!; wait")
	procgroup.Prepare(cmd)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	return cmd, pid
}

func TestCancelEndsTheWholeGroup(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cmd, grandchild := startTree(t, ctx)
	if pgid, err := syscall.Getpgid(cmd.Process.Pid); err != nil || pgid != cmd.Process.Pid {
		t.Errorf("the child's process group is %d (%v), want its own (%d)", pgid, err, cmd.Process.Pid)
	}
	if pgid, _ := syscall.Getpgid(grandchild); pgid != cmd.Process.Pid {
		t.Errorf("the grandchild's process group is %d, want the child's (%d)", pgid, cmd.Process.Pid)
	}
	cancel()
	if err := cmd.Wait(); err == nil {
		t.Error("a killed command reported success")
	}
	proctest.WaitGone(t, grandchild)
}

func TestSignalReachesWhatTheLeaderLeftBehind(t *testing.T) {
	// The leader exits at once; its background child keeps the group alive.
	cmd := exec.Command("/bin/sh", "-c", "sleep 1000 >/dev/null 2>&1 & echo $!")
	procgroup.Prepare(cmd)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	if proctest.Gone(pid) {
		t.Fatal("the background sleep ended by itself")
	}
	if err := procgroup.Kill(cmd); err != nil {
		t.Fatalf("Kill after the leader exited: %v", err)
	}
	proctest.WaitGone(t, pid)
}

func TestSignalBeforeStartIsANoOp(t *testing.T) {
	cmd := exec.Command("/bin/true")
	procgroup.Prepare(cmd)
	if err := procgroup.Kill(cmd); err != nil {
		t.Errorf("Kill before Start = %v", err)
	}
}
