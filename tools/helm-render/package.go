package main

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Packaged charts (charts/<name>-<version>.tgz, as `helm dependency build`
// leaves them) are unpacked into temporary directories that live until the
// render ends (removeUnpacked), so they load like any chart directory.
var unpackedDirs []string

func removeUnpacked() {
	for _, d := range unpackedDirs {
		os.RemoveAll(d)
	}
	unpackedDirs = nil
}

// Bounds against a hostile or broken archive.
const (
	maxPackageFiles = 10000
	maxPackageBytes = 64 << 20
)

func loadPackagedChart(archive string, parent *chart, depth int) (*chart, error) {
	tmp, err := os.MkdirTemp("", "helm-render-chart-")
	if err != nil {
		return nil, err
	}
	unpackedDirs = append(unpackedDirs, tmp)
	top, err := unpack(archive, tmp)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", archive, err)
	}
	c, err := loadChart(filepath.Join(tmp, top), parent, depth)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", archive, err)
	}
	return c, nil
}

// unpack extracts a chart archive (one top-level directory) into dest and
// returns that directory's name.
func unpack(archive, dest string) (string, error) {
	f, err := os.Open(archive)
	if err != nil {
		return "", err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return "", fmt.Errorf("not a gzip archive: %v", err)
	}
	tr := tar.NewReader(gz)
	top := ""
	var total int64
	for n := 0; ; n++ {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", fmt.Errorf("reading archive: %v", err)
		}
		if n >= maxPackageFiles {
			return "", fmt.Errorf("more than %d entries", maxPackageFiles)
		}
		name := path.Clean(strings.TrimPrefix(h.Name, "./"))
		if path.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") {
			return "", fmt.Errorf("entry %q leaves the archive", h.Name)
		}
		first := strings.SplitN(name, "/", 2)[0]
		if top == "" {
			top = first
		} else if first != top {
			return "", fmt.Errorf("entries under both %q and %q: a chart archive has one top-level directory", top, first)
		}
		target := filepath.Join(dest, filepath.FromSlash(name))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return "", err
			}
		case tar.TypeReg:
			total += h.Size
			if total > maxPackageBytes {
				return "", fmt.Errorf("more than %d bytes unpacked", maxPackageBytes)
			}
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return "", err
			}
			out, err := os.Create(target)
			if err != nil {
				return "", err
			}
			_, err = io.Copy(out, io.LimitReader(tr, h.Size))
			out.Close()
			if err != nil {
				return "", err
			}
		}
	}
	if top == "" {
		return "", fmt.Errorf("empty archive")
	}
	return top, nil
}
