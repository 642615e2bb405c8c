package io.pontoon.server;

import io.pontoon.RaftNode;
import io.pontoon.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The status page ({@code /} of {@link MetricsHttpServer}) in a real browser: Debian's headless Chromium driven by
 * Selenium through Debian's chromedriver ({@code apt-get install chromium chromium-driver}; {@code .ci/run} installs
 * them). It shows the leader and each follower's lag while a load runs, and follows a leadership transfer.
 *
 * <p>The screenshot of the page under load goes to {@code target/status-page.png}, or to the file named by the system
 * property {@code pontoon.screenshot} (README's docs/status-page.png:
 * {@code mvn -pl server verify -Dtest=StatusPageBrowserTest -Dpontoon.screenshot=$PWD/docs/status-page.png}).
 */
class StatusPageBrowserTest {
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    private static final File CHROMIUM = new File("/usr/bin/chromium");

    @TempDir
    Path root;

    private MetricsTestNodes cluster;
    private WebDriver browser;
    private final AtomicBoolean loadRuns = new AtomicBoolean(true);
    private Thread load;

    @AfterEach
    void closeAll() throws InterruptedException {
        loadRuns.set(false);
        if (load != null) {
            load.join(MetricsTestNodes.TIMEOUT.toMillis());
        }
        if (browser != null) {
            browser.quit();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void pageShowsTheLeaderAndEachFollowersLagAndFollowsALeaderChange() throws Exception {
        assertTrue(CHROMEDRIVER.canExecute() && CHROMIUM.canExecute(), "the browser test needs Debian's chromium and "
            + "chromium-driver: apt-get install -y chromium chromium-driver (.ci/run installs them when run as root)");
        cluster = new MetricsTestNodes(root, 3).startAll();
        final int leader = cluster.awaitLeader();
        load = new Thread(this::runLoad, "status-page-load");
        load.setDaemon(true);
        load.start();

        browser = chromium();
        browser.get(MetricsEndpoints.url(cluster.server(leader), "/"));
        final WebDriverWait wait = new WebDriverWait(browser, MetricsTestNodes.TIMEOUT);
        wait.withMessage("the page shows node " + leader + " leading, and both followers with a lag")
            .until(d -> text(d, "role").equals("LEADER") && text(d, "leader").equals(Integer.toString(leader))
                && followerLags(d).size() == 2 && followerLags(d).stream().allMatch(l -> l.matches("\\d+")));
        // The screenshot waits for a sparkline of a few seconds' throughput (the page's own refreshes, not a sleep).
        wait.withMessage("the commit index and the throughput move under load")
            .until(d -> Long.parseLong(text(d, "commit")) > 0 && text(d, "rate").matches("[1-9]\\d*")
                && Integer.parseInt(d.findElement(By.id("sparkline")).getDomAttribute("data-samples")) >= 8);
        screenshot();

        // A leader change: the page of the old leader now shows it following the new one.
        final int next = leader % 3 + 1;
        cluster.server(leader).node().transferLeadership(next).get(MetricsTestNodes.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        wait.withMessage("the page shows node " + leader + " following node " + next)
            .until(d -> text(d, "role").equals("FOLLOWER") && text(d, "leader").equals(Integer.toString(next))
                && followerLags(d).isEmpty());
        // And the new leader's page lists its two followers.
        browser.get(MetricsEndpoints.url(cluster.server(next), "/"));
        wait.withMessage("the page of node " + next + " shows it leading, with both followers' lags")
            .until(d -> text(d, "role").equals("LEADER") && followerLags(d).size() == 2);
        for (int id = 1; id <= 3; id++) {
            assertNull(cluster.failure(id), "node " + id + " failed");
        }
    }

    private static WebDriver chromium() {
        final ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1000,760");
        final ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
            .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static String text(WebDriver d, String id) {
        return d.findElement(By.id(id)).getText().trim();
    }

    private static List<String> followerLags(WebDriver d) {
        final List<String> lags = new ArrayList<>();
        for (WebElement cell : d.findElements(By.cssSelector("#followers tbody td.lag"))) {
            lags.add(cell.getText().trim());
        }
        return lags;
    }

    private void screenshot() throws Exception {
        final String property = System.getProperty("pontoon.screenshot");
        final Path file = property != null ? Path.of(property) : Path.of("target", "status-page.png");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    /** Batches of 64 proposals to whichever node leads, until the test ends (bounded by the test's own length). */
    private void runLoad() {
        final byte[] payload = "load".getBytes(StandardCharsets.UTF_8);
        while (loadRuns.get()) {
            final RaftNode node = leaderNode();
            if (node == null) {
                Thread.onSpinWait();
                continue;
            }
            final List<CompletableFuture<Long>> batch = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                batch.add(node.propose(payload));
            }
            try {
                CompletableFuture.allOf(batch.toArray(new CompletableFuture[0])).get(10, TimeUnit.SECONDS);
            } catch (Exception notLeaderAnyMore) {
                // a transfer or a stop: the next batch goes to the new leader
            }
        }
    }

    private RaftNode leaderNode() {
        for (int id = 1; id <= 3; id++) {
            final PontoonServer s = cluster.server(id);
            try {
                if (s != null && s.node().status().role() == Role.LEADER) {
                    return s.node();
                }
            } catch (RuntimeException closing) {
                return null;
            }
        }
        return null;
    }
}
