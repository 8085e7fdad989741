package dev.drover.bench;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard's first render in Debian's headless Chromium (driven by its chromedriver; nothing
 * downloaded): signed in once, untimed; then each round a fresh navigation to {@code /#/tasks},
 * timed from the navigation to the first task rows in the table. Skipped (null) where Chromium or
 * chromedriver is not installed.
 */
final class DashboardRender {
    /** Over {@code rounds} navigations: to rows shown (wall, polled every 10 ms), the browser's DOMContentLoaded. */
    record Result(int rounds, int rowsShown, ExecutorStats.Percentiles firstRowsMs, ExecutorStats.Percentiles domMs) {}

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private DashboardRender() {}

    static @Nullable Result measure(ServerApi api, int rounds, Progress progress) throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            progress.say("  dashboard: skipped (%s or %s missing)", CHROMIUM, CHROMEDRIVER);
            return null;
        }
        Path profile = Files.createTempDirectory("drover-bench-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=1280,900",
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        try {
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
            wait.pollingEvery(Duration.ofMillis(10));
            driver.get(api.url + "/");
            wait.until(d -> !d.findElements(By.cssSelector("#token")).isEmpty());
            driver.findElement(By.cssSelector("#token")).sendKeys(ServerApi.TOKEN);
            driver.findElement(By.cssSelector("form.login button[type=submit]")).click();
            wait.until(d -> !d.findElements(By.cssSelector("tr[data-id]")).isEmpty());
            long[] rows = new long[rounds];
            long[] dom = new long[rounds];
            int shown = 0;
            for (int r = -2; r < rounds; r++) { // two untimed rounds: the browser's caches, the server's JIT
                driver.get("about:blank");
                long t0 = System.nanoTime();
                driver.get(api.url + "/#/tasks");
                wait.until(d -> !d.findElements(By.cssSelector("tr[data-id]")).isEmpty());
                long took = System.nanoTime() - t0;
                if (r < 0) {
                    continue;
                }
                rows[r] = took;
                Object nav = ((JavascriptExecutor) driver)
                        .executeScript("const n = performance.getEntriesByType('navigation')[0];"
                                + " return n ? n.domContentLoadedEventEnd : -1;");
                dom[r] = (long) (((Number) nav).doubleValue() * 1e6);
                shown = driver.findElements(By.cssSelector("tr[data-id]")).size();
            }
            Result res = new Result(rounds, shown, ExecutorStats.percentiles(rows), ExecutorStats.percentiles(dom));
            progress.say(
                    "  dashboard first render: rows shown p50 %.0f ms, max %.0f ms (%d rows; DOMContentLoaded p50 %.0f"
                            + " ms)",
                    res.firstRowsMs().p50(),
                    res.firstRowsMs().max(),
                    shown,
                    res.domMs().p50());
            return res;
        } finally {
            driver.quit();
            service.stop();
            try (var s = Files.walk(profile)) {
                s.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }
}
