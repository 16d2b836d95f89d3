"""The newsroom's models, one module per kind of page or thing."""

from masthead.newsroom.models.addresses import PublicAddresses
from masthead.newsroom.models.articles import (
    ArticleAuthor,
    ArticleIndexPage,
    ArticlePage,
    ArticleTag,
    ArticleYearPage,
    Correction,
)
from masthead.newsroom.models.authors import Author
from masthead.newsroom.models.home import HomeEditorsPick, HomePage, HomeSectionBlock, HomeTopStory
from masthead.newsroom.models.images import NewsroomImage, NewsroomRendition
from masthead.newsroom.models.listings import ArticleListing
from masthead.newsroom.models.pages import (
    JobIndexPage,
    JobPostingPage,
    NewsFeedPage,
    OpinionFormField,
    OpinionFormPage,
    OpinionSubmission,
    StandardPage,
    TeamPage,
)
from masthead.newsroom.models.sections import SectionPage
from masthead.newsroom.models.site_settings import NewsroomSettings
from masthead.newsroom.models.tags import TagDetail

__all__ = [
    "ArticleAuthor",
    "ArticleIndexPage",
    "ArticleListing",
    "ArticlePage",
    "ArticleTag",
    "ArticleYearPage",
    "Author",
    "Correction",
    "HomeEditorsPick",
    "HomePage",
    "HomeSectionBlock",
    "HomeTopStory",
    "JobIndexPage",
    "JobPostingPage",
    "NewsFeedPage",
    "NewsroomImage",
    "NewsroomRendition",
    "NewsroomSettings",
    "OpinionFormField",
    "OpinionFormPage",
    "OpinionSubmission",
    "PublicAddresses",
    "SectionPage",
    "StandardPage",
    "TagDetail",
    "TeamPage",
]
