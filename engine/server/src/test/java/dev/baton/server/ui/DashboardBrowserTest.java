package dev.baton.server.ui;

import static dev.baton.server.ui.DashboardServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;

/**
 * The dashboard in a real headless Chromium against a real server: the operator's path through the seed's incident
 * (orders parked in PENDING_PAYMENT), an action refused without the token, a bulk abort after a dry run, and the saga
 * list sorted oldest first within a created range typed in local time. Each test saves screenshots under
 * target/screenshots.
 */
@ExtendWith(KafkaBrokerExtension.class)
class DashboardBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static DashboardServer s;
    private Browser browser;
    private String test;

    @BeforeAll
    static void server(EmbeddedKafkaBroker broker) throws Exception {
        s = DashboardServer.start(broker);
    }

    @AfterAll
    static void stop() {
        if (s != null) {
            s.close();
        }
    }

    @BeforeEach
    void browser(TestInfo info) {
        browser = Browser.open();
        test = info.getTestMethod().orElseThrow().getName();
    }

    @AfterEach
    void close() {
        if (browser != null) {
            try {
                browser.screenshot(test + "-last");
                browser.saveConsole(test);
            } finally {
                browser.close();
            }
        }
    }

    private static String uniq() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** Starts an order that parks in PENDING_PAYMENT and waits until it has. */
    private static String parkedOrder(String type) {
        String id = s.startOrder(type, "o-" + uniq());
        await("saga " + id + " parks in PENDING_PAYMENT").atMost(WAIT).until(() -> s.saga(id),
                saga -> saga.get("status").asText().equals("PENDING")
                        && UiSagas.PENDING_PAYMENT.equals(saga.get("pendingState").asText()));
        return id;
    }

    private void useToken(String token) {
        WebElement input = browser.visible(By.id("token"));
        input.sendKeys(token);
        browser.clickable(By.id("token-save")).click();
        browser.textIs(By.id("token-state"), "token set for this tab");
    }

    private void confirmWithReason(String reason) {
        WebElement text = browser.visible(By.cssSelector("dialog[open] #reason"));
        text.sendKeys(reason);
        browser.clickable(By.cssSelector("dialog[open] #confirm-action")).click();
    }

    @Test
    @DisplayName("overview → list filtered to PENDING_PAYMENT → a saga → its timeline shows the parked period → resume"
            + " with a reason → the status changes on the page and in the REST API")
    void resumeAParkedOrder() {
        String id = parkedOrder(UiSagas.ORDER_TYPE);
        // a link to the dashboard's root route is the overview too
        browser.open(s.base + "/ui/#/");
        browser.visible(By.cssSelector("#pending-" + UiSagas.PENDING_PAYMENT + " a"));
        browser.open(s.base + "/");
        // the redirect to /ui/ and the overview's count of orders pending payment
        WebElement pending = browser.visible(By.cssSelector("#pending-" + UiSagas.PENDING_PAYMENT + " a"));
        assertThat(browser.driver.getCurrentUrl()).startsWith(s.base + "/ui/");
        assertThat(Long.parseLong(pending.getText())).isGreaterThanOrEqualTo(1);
        browser.screenshot("overview");

        pending.click();
        browser.visible(By.id("saga-table"));
        assertThat(browser.driver.getCurrentUrl()).contains("pendingState=" + UiSagas.PENDING_PAYMENT, "status=PENDING");
        List<WebElement> rows = browser.driver.findElements(By.cssSelector("#saga-table tbody tr"));
        assertThat(rows).isNotEmpty().allSatisfy(r -> assertThat(r.getAttribute("data-status")).isEqualTo("PENDING"));
        browser.screenshot("saga-list-pending-payment");

        browser.clickable(By.cssSelector("#saga-table tr[data-id='" + id + "'] a")).click();
        browser.textIs(By.id("saga-status"), "PENDING");
        assertThat(browser.visible(By.id("saga-pending-state")).getText()).isEqualTo(UiSagas.PENDING_PAYMENT);
        // the timeline: the payment step is parked now, drawn as a parked period that is still open
        WebElement parked = browser.visible(By.cssSelector("#timeline g[data-step='charge-payment'] rect.parked"));
        assertThat(parked.getAttribute("data-ongoing")).isEqualTo("true");
        assertThat(browser.driver.findElement(By.cssSelector("#steps-table tr[data-step='charge-payment'] .parked-periods"))
                .getText()).contains("waiting now");
        assertThat(browser.driver.findElement(By.cssSelector("#steps-table tr[data-step='reserve-stock']")).getText())
                .contains("COMPLETED");
        // retry applies to FAILED sagas only: it is not offered
        assertThat(browser.driver.findElements(By.id("action-retry"))).isEmpty();
        // the history shows the payment command sent, opened from the keyboard, with the amount redacted as in the data
        WebElement sent = browser.driver.findElements(By.cssSelector("#history-table tbody tr")).stream()
                .filter(r -> r.getText().contains("COMMAND_SENT") && r.getText().contains("charge-payment"))
                .findFirst().orElseThrow(() -> new AssertionError("no COMMAND_SENT of charge-payment in the history"));
        WebElement summary = sent.findElement(By.cssSelector("details.payload summary"));
        summary.sendKeys(Keys.ENTER);
        browser.await("the message opens", d -> sent.findElement(By.cssSelector("details.payload")).getDomAttribute("open") != null);
        String message = sent.findElement(By.cssSelector("details.payload pre")).getText();
        assertThat(message).contains("\"orderId\"", "\"amountCents\": \"[redacted]\"").doesNotContain(": 1200");
        assertThat(browser.visible(By.id("saga-data")).getText()).contains("[redacted]").doesNotContain(": 1200");
        browser.screenshot("saga-parked");

        useToken(DashboardServer.TOKEN);
        UiSagas.release(s.saga(id).get("data").get("orderId").asText());
        browser.clickable(By.id("action-resume")).click();
        browser.screenshot("saga-resume-dialog");
        confirmWithReason("payments are back");
        // the answer is shown at once, and live refresh follows the saga to its end
        browser.await("the dialog closes", d -> d.findElements(By.cssSelector("dialog[open]")).isEmpty());
        browser.textIs(By.id("saga-status"), "COMPLETED");
        assertThat(s.status(id)).isEqualTo("COMPLETED");
        JsonNode history = json(s.get("/api/sagas/" + id + "/history"));
        List<String> actions = new ArrayList<>();
        history.get("items").forEach(e -> {
            if (e.get("kind").asText().equals("OPERATOR_ACTION")) {
                actions.add(e.get("detail").asText());
            }
        });
        assertThat(actions).singleElement().asString().contains("RESUME", "payments are back", "api-token");
        // the parked period is closed now, and the step completed
        browser.await("the parked period is closed", d -> "false".equals(d.findElement(
                By.cssSelector("#timeline g[data-step='charge-payment'] rect.parked")).getAttribute("data-ongoing")));
        assertThat(browser.driver.findElement(By.cssSelector("#steps-table tr[data-step='charge-payment']")).getText())
                .contains("COMPLETED");
        browser.screenshot("saga-resumed");
    }

    /** Waits until the clock has passed the next whole second; returns that second. */
    private static Instant nextSecond() {
        Instant next = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        await("the clock passes " + next).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                .until(() -> !Instant.now().isBefore(next));
        return next;
    }

    /** The ids of the saga list's rows, top to bottom, read in one go (live refresh may redraw the table any time). */
    private List<String> rowIds() {
        Object ids = ((JavascriptExecutor) browser.driver).executeScript(
                "return [...document.querySelectorAll('#saga-table tbody tr')].map(r => r.dataset.id);");
        return ((List<?>) ids).stream().map(String::valueOf).toList();
    }

    /** A query parameter of the page's URL hash (#/sagas?a=b), decoded; null when absent. */
    private String hashParam(String name) {
        String url = browser.driver.getCurrentUrl();
        String query = url.contains("?") ? url.substring(url.indexOf('?') + 1) : "";
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /**
     * Sets a datetime-local input as the page sees typed input. Chromium's control takes typed digits in its locale's
     * segment order (month first in en-US, day first elsewhere), so the value is set, and the events fired, directly.
     */
    private void setLocal(By input, LocalDateTime value) {
        ((JavascriptExecutor) browser.driver).executeScript("arguments[0].value = arguments[1];"
                        + " arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
                        + " arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
                browser.visible(input), value.format(LOCAL_INPUT));
    }

    private static final DateTimeFormatter LOCAL_INPUT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    @Test
    @DisplayName("the saga list oldest first within a created range, in the browser's time zone: the choices go into the"
            + " URL as UTC instants, the rows are the range's sagas from the oldest, and the view reloads from the URL")
    void oldestFirstWithinACreatedRange() {
        // a time zone away from UTC by hours and a half, so a local time read as UTC, or the other way round, shows
        ZoneId zone = ZoneId.of("America/St_Johns");
        ((ChromeDriver) browser.driver).executeCdpCommand("Emulation.setTimezoneOverride",
                Map.of("timezoneId", zone.getId()));
        // two orders within [from, to), both created after every saga of the other tests, and a third from `to` on
        Instant from = nextSecond();
        List<String> ids = List.of(s.startOrder(UiSagas.ORDER_TYPE, "o-" + uniq()),
                s.startOrder(UiSagas.ORDER_TYPE, "o-" + uniq()));
        Instant to = nextSecond();
        String later = s.startOrder(UiSagas.ORDER_TYPE, "o-" + uniq());

        browser.open(s.base + "/ui/#/sagas");
        browser.await("the newest saga comes first", d -> !rowIds().isEmpty() && rowIds().getFirst().equals(later));
        assertThat(browser.driver.findElement(By.id("saga-caption")).getAttribute("textContent")).endsWith("newest first");
        assertThat(browser.driver.findElement(By.id("f-zone")).getText()).contains(zone.getId());

        setLocal(By.id("f-createdFrom"), LocalDateTime.ofInstant(from, zone));
        setLocal(By.id("f-createdTo"), LocalDateTime.ofInstant(to, zone));
        WebElement sort = browser.clickable(By.id("f-sort"));
        sort.sendKeys("Oldest"); // a select answers typed text by choosing the option it starts
        assertThat(new Select(sort).getFirstSelectedOption().getText()).isEqualTo("Oldest first");
        browser.screenshot("saga-list-oldest-first-form");
        browser.clickable(By.cssSelector("#saga-filters button[type='submit']")).click();

        browser.await("the list shows the range's sagas, oldest first", d -> rowIds().equals(ids));
        assertThat(hashParam("sort")).isEqualTo("oldest");
        assertThat(Instant.parse(hashParam("createdFrom"))).as("local time in, UTC instant in the URL").isEqualTo(from);
        assertThat(Instant.parse(hashParam("createdTo"))).isEqualTo(to);
        assertThat(hashParam("updatedFrom")).isNull();
        assertThat(browser.driver.findElement(By.id("saga-caption")).getAttribute("textContent")).endsWith("oldest first");
        assertThat(json(s.get("/api/sagas?sort=oldest&createdFrom=" + from + "&createdTo=" + to)).get("items")
                .findValuesAsText("id")).as("the API agrees").isEqualTo(ids);
        browser.screenshot("saga-list-oldest-first");

        // the shared link: a fresh load reads the same view back into the form
        String link = browser.driver.getCurrentUrl();
        browser.open("about:blank");
        browser.open(link);
        browser.await("the view is rebuilt from the URL", d -> rowIds().equals(ids));
        assertThat(browser.visible(By.id("f-createdFrom")).getAttribute("value"))
                .isEqualTo(LocalDateTime.ofInstant(from, zone).format(LOCAL_INPUT));
        assertThat(browser.driver.findElement(By.id("f-createdTo")).getAttribute("value"))
                .isEqualTo(LocalDateTime.ofInstant(to, zone).format(LOCAL_INPUT));
        assertThat(new Select(browser.driver.findElement(By.id("f-sort"))).getFirstSelectedOption().getText())
                .isEqualTo("Oldest first");
        // applying again unchanged keeps the instants; newest first reverses the rows
        new Select(browser.driver.findElement(By.id("f-sort"))).selectByVisibleText("Newest first");
        browser.clickable(By.cssSelector("#saga-filters button[type='submit']")).click();
        browser.await("the range's sagas, newest first", d -> rowIds().equals(ids.reversed()));
        assertThat(hashParam("sort")).as("newest first is the default, left out of the URL").isNull();
        assertThat(Instant.parse(hashParam("createdFrom"))).isEqualTo(from);
    }

    @Test
    @DisplayName("an action without the token is refused: the dialog shows the API's 401 problem and the saga stays parked")
    void actionWithoutTokenIsRefused() {
        String id = parkedOrder(UiSagas.ORDER_TYPE);
        browser.open(s.base + "/ui/#/sagas/" + id);
        browser.textIs(By.id("saga-status"), "PENDING");
        browser.clickable(By.id("action-resume")).click();
        confirmWithReason("trying without a token");
        WebElement problem = browser.visible(By.cssSelector("dialog[open] .problem"));
        assertThat(problem.getAttribute("data-status")).isEqualTo("401");
        assertThat(problem.getText()).contains("401", "API token");
        browser.screenshot("action-refused-without-token");
        // the dialog stays open for a token or a cancel; nothing changed
        browser.clickable(By.cssSelector("dialog[open] #cancel-action")).click();
        browser.await("the dialog closes", d -> d.findElements(By.cssSelector("dialog[open]")).isEmpty());
        JsonNode saga = s.saga(id);
        assertThat(saga.get("status").asText()).isEqualTo("PENDING");
        assertThat(json(s.get("/api/sagas/" + id + "/history")).get("items").findValuesAsText("kind"))
                .doesNotContain("OPERATOR_ACTION");
    }

    @Test
    @DisplayName("stuck queue: bulk abort by filter shows a dry run's count and ids, then aborts each saga with the reason")
    void bulkAbortWithDryRun() {
        List<String> ids = List.of(parkedOrder(UiSagas.BULK_TYPE), parkedOrder(UiSagas.BULK_TYPE),
                parkedOrder(UiSagas.BULK_TYPE));
        browser.open(s.base + "/ui/#/queues");
        useToken(DashboardServer.TOKEN);
        By row = By.cssSelector("#queues-table tr[data-type='" + UiSagas.BULK_TYPE + "'][data-status='PENDING']");
        browser.visible(row);
        assertThat(browser.driver.findElement(row).getText()).contains(UiSagas.PENDING_PAYMENT, "charge-payment");
        browser.screenshot("queues");

        browser.driver.findElement(row).findElement(By.cssSelector("button[data-action='abort']")).click();
        browser.textIs(By.id("dry-run-count"), "3");
        String dryRun = browser.driver.findElement(By.id("dry-run-result")).getText();
        assertThat(dryRun).contains(ids.get(0), ids.get(1), ids.get(2), "Nothing has changed yet");
        // the dry run changed nothing
        assertThat(ids).allSatisfy(id -> assertThat(s.status(id)).isEqualTo("PENDING"));
        browser.screenshot("bulk-abort-dry-run");

        confirmWithReason("payments down for the day: cancel these orders");
        assertThat(browser.visible(By.id("bulk-summary")).getText()).contains("3 of 3 saga(s) done");
        for (String id : ids) {
            await("saga " + id + " is compensated").atMost(WAIT).until(() -> s.status(id), "COMPENSATED"::equals);
            assertThat(json(s.get("/api/sagas/" + id + "/history")).get("items").findValuesAsText("detail"))
                    .anySatisfy(d -> assertThat(d).contains("ABORT", "payments down for the day"));
        }
        browser.await("the queue is empty", d -> d.findElements(row).isEmpty());
        browser.screenshot("bulk-abort-done");
    }

    @Test
    @DisplayName("a definition's diagram counts the sagas parked at its steps and outlines a chosen saga's step; the"
            + " participants page lists each participant with the steps that use it")
    void definitionAndParticipants() {
        String id = parkedOrder(UiSagas.ORDER_TYPE);
        browser.open(s.base + "/ui/#/definitions");
        browser.clickable(By.linkText(UiSagas.ORDER_TYPE)).click();
        By charge = By.cssSelector("#definition-diagram g.node[data-step='charge-payment']");
        browser.await("the payment step counts a parked saga", d -> Integer.parseInt(d.findElement(charge)
                .getAttribute("data-pending")) >= 1);
        assertThat(browser.driver.findElement(charge).getText()).contains("parks in " + UiSagas.PENDING_PAYMENT);
        assertThat(browser.driver.findElements(By.cssSelector("#definition-diagram g.node"))).hasSize(3);

        browser.visible(By.id("d-saga")).sendKeys(id);
        browser.clickable(By.cssSelector("form.filters button[type='submit']")).click();
        browser.visible(By.id("highlighted"));
        browser.await("the saga's step is outlined", d -> d.findElement(charge).getAttribute("class").contains("current"));
        browser.screenshot("definition");

        browser.clickable(By.cssSelector("a[data-nav='participants']")).click();
        By payment = By.cssSelector("#participants-table tr[data-name='ui-payment']");
        browser.visible(payment);
        assertThat(browser.driver.findElement(payment).getText()).contains(UiSagas.ORDER_TYPE, "charge-payment");
        browser.screenshot("participants");
    }
}
