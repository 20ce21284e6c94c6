// tests/interop/Probe.java MODE URL PROXYHOST PROXYPORT USER PASS - one GET
// through a proxy with an Authenticator, as Java users write it; prints the
// final status or "error: TEXT".  MODE: httpclient (java.net.http) or
// urlconnection (HttpURLConnection).  The TLS origin's certificate comes
// from the trust store given with -Djavax.net.ssl.trustStore.
import java.net.*;
import java.net.http.*;
import java.time.Duration;

public class Probe {
	public static void main(String[] a) {
		String mode = a[0];
		try {
			URI uri = URI.create(a[1]);
			InetSocketAddress px = new InetSocketAddress(a[2], Integer.parseInt(a[3]));
			Authenticator auth = new Authenticator() {
				protected PasswordAuthentication getPasswordAuthentication() {
					if (getRequestorType() != RequestorType.PROXY)
						return null;
					return new PasswordAuthentication(a[4], a[5].toCharArray());
				}
			};
			if (mode.equals("httpclient")) {
				HttpClient c = HttpClient.newBuilder().proxy(ProxySelector.of(px))
					.authenticator(auth).connectTimeout(Duration.ofSeconds(10)).build();
				HttpResponse<String> r = c.send(HttpRequest.newBuilder(uri)
					.timeout(Duration.ofSeconds(15)).build(),
					HttpResponse.BodyHandlers.ofString());
				System.out.println(r.statusCode());
			} else {
				Authenticator.setDefault(auth);
				HttpURLConnection h = (HttpURLConnection) uri.toURL()
					.openConnection(new Proxy(Proxy.Type.HTTP, px));
				h.setConnectTimeout(10000);
				h.setReadTimeout(15000);
				System.out.println(h.getResponseCode());
			}
		} catch (Exception e) {
			System.out.println(("error: " + e.getClass().getSimpleName() + ": "
				+ e.getMessage()).replaceAll("\\s+", " "));
		}
	}
}
