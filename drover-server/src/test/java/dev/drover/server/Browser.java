package dev.drover.server;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium, driven by its chromedriver (both from the Debian packages {@code
 * chromium chromium-driver}, which bin/test installs): no driver or browser is downloaded. The flags
 * keep Chromium from calling home, which this machine's closed network would refuse.
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Duration WAIT = Duration.ofSeconds(60);

    final WebDriver driver;
    private final ChromeDriverService service;
    private final Path profile;

    private Browser(WebDriver driver, ChromeDriverService service, Path profile) {
        this.driver = driver;
        this.service = service;
        this.profile = profile;
    }

    static Browser start() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException(CHROMIUM + " or " + CHROMEDRIVER
                    + " is missing: install the Debian packages" + " chromium chromium-driver (bin/test does)");
        }
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        try {
            Path profile = Files.createTempDirectory("drover-chromium-");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments(
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
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
            driver.manage().window().setSize(new Dimension(1280, 900));
            return new Browser(driver, service, profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void open(String url) {
        driver.get(url);
    }

    /** Waits until the condition holds (non-null and not false), as a person would wait for the page. */
    <T> T await(Function<WebDriver, T> condition) {
        return await(condition, WAIT);
    }

    /** {@link #await} with another bound. */
    <T> T await(Function<WebDriver, T> condition, Duration within) {
        return new WebDriverWait(driver, within)
                .pollingEvery(Duration.ofMillis(100))
                .ignoring(StaleElementReferenceException.class) // the page drew it again: look again
                .withMessage(() -> "the page shows: " + shown())
                .until(condition);
    }

    /** What a person sees on the page now (its first 1500 characters), for a wait that gave up. */
    private String shown() {
        try {
            String t = text("body");
            return t.length() > 1500 ? t.substring(0, 1500) + "…" : t;
        } catch (RuntimeException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    WebElement find(String css) {
        return await(d -> {
            List<WebElement> found = d.findElements(By.cssSelector(css));
            return found.isEmpty() || !found.getFirst().isDisplayed() ? null : found.getFirst();
        });
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** The visible text of the first element matching css, or "" when there is none. */
    String text(String css) {
        List<WebElement> found = driver.findElements(By.cssSelector(css));
        return found.isEmpty() ? "" : found.getFirst().getText();
    }

    /** Waits until the first element matching css shows text containing every one of these. */
    String awaitText(String css, String... parts) {
        return await(d -> {
            String t = text(css);
            for (String p : parts) {
                if (!t.contains(p)) {
                    return null;
                }
            }
            return t;
        });
    }

    Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    void screenshot(Path to) {
        try {
            Files.createDirectories(to.toAbsolutePath().getParent());
            Path shot =
                    ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
            Files.copy(shot, to, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temp folder left behind is harmless
            }
        }
    }
}
