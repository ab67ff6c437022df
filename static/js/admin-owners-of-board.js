"use strict";
// The admin's add-action page: once a board is chosen, the owners' search boxes search the
// posts and people of that board's body only (the board's search result carries its body).
// Another board chosen scopes them to its body; the board cleared searches every body again.
{
    const $ = django.jQuery;
    const NAMES = ["owner_roles", "owner_people"];

    function scope(body) {
        for (const name of NAMES) {
            const element = document.querySelector(`select.admin-autocomplete[name='${name}']`);
            if (!element || !$.fn.djangoAdminSelect2) {
                continue;
            }
            const url = new URL(element.getAttribute("data-ajax--url"), window.location.href);
            if (body) {
                url.searchParams.set("body", body);
            } else {
                url.searchParams.delete("body");
            }
            const $element = $(element);
            if ($element.hasClass("select2-hidden-accessible")) {
                $element.select2("destroy");
            }
            element.setAttribute("data-ajax--url", url.pathname + url.search);
            $element.removeData();
            $element.djangoAdminSelect2();
        }
    }

    $(function () {
        const $board = $("select.admin-autocomplete[name='board']");
        $board.on("select2:select", (event) => scope(event.params.data.body));
        $board.on("select2:clear", () => scope(""));
    });
}
