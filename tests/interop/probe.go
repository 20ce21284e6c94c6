// tests/interop/probe.go MODE - one GET through a proxy with Go's net/http;
// prints the final status or "error: TEXT".  MODE env: the proxy from
// HTTP_PROXY/HTTPS_PROXY (http.ProxyFromEnvironment, what most Go programs
// do); MODE url: http.ProxyURL(PX_URL).  URL is the target; CAFILE the
// TLS origin's certificate.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

func main() {
	pool := x509.NewCertPool()
	pem, _ := os.ReadFile(os.Getenv("CAFILE"))
	pool.AppendCertsFromPEM(pem)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	if os.Args[1] == "env" {
		tr.Proxy = http.ProxyFromEnvironment
	} else {
		u, err := url.Parse(os.Getenv("PX_URL"))
		if err != nil {
			fmt.Println("error: " + err.Error())
			return
		}
		tr.Proxy = http.ProxyURL(u)
	}
	c := &http.Client{Transport: tr, Timeout: 15 * time.Second}
	r, err := c.Get(os.Getenv("URL"))
	if err != nil {
		fmt.Println("error: " + strings.Join(strings.Fields(err.Error()), " "))
		return
	}
	r.Body.Close()
	fmt.Println(r.StatusCode)
}
